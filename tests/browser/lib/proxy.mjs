import net from 'node:net';

/**
 * A TCP proxy on an ephemeral loopback port in front of `target` ({ host, port }).
 *
 * - dropAll() destroys every live client+upstream socket pair at once: a network drop as the
 *   browser sees it. The proxy keeps listening, so the browser can reconnect.
 * - hold() makes the proxy accept new connections but not forward them (their bytes are kept)
 *   until release(): an outage that lasts exactly as long as the test wants, without the
 *   connection errors a refused connect would cause.
 * - requestHeads(): the first bytes (up to 8 KiB, as latin1 text) each client sent, in accept
 *   order, to check what a reconnecting client asked for (e.g. its Last-Event-ID header).
 *
 * Returns { host, port, url, connections(), pending(), accepted(), requestHeads(), dropAll(),
 * hold(), release(), close() }.
 */
export async function startProxy(target, { host = '127.0.0.1' } = {}) {
  const pairs = new Set();
  const held = new Set();
  const heads = [];
  let accepted = 0;
  let holding = false;

  const forward = (client, buffered) => {
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    const pair = { client, upstream };
    pairs.add(pair);
    const teardown = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', teardown);
    upstream.on('close', teardown);
    client.on('close', teardown);
    client.on('error', teardown);
    upstream.setNoDelay(true);
    for (const chunk of buffered) upstream.write(chunk);
    if (client.readableEnded) upstream.end();
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = net.createServer((client) => {
    accepted++;
    client.setNoDelay(true);
    const head = { index: accepted, text: '' };
    heads.push(head);
    const recordHead = (chunk) => {
      if (head.text.length < 8192) head.text += chunk.toString('latin1').slice(0, 8192 - head.text.length);
    };
    client.on('data', recordHead);
    client.on('error', () => client.destroy());

    if (!holding) {
      forward(client, []);
      return;
    }
    // Held: keep what the client sends until release().
    const entry = { client, buffered: [] };
    const collect = (chunk) => entry.buffered.push(chunk);
    entry.stopCollecting = () => client.off('data', collect);
    client.on('data', collect);
    client.once('close', () => held.delete(entry));
    held.add(entry);
  });

  server.listen(0, host);
  await new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address();

  const dropAll = () => {
    const n = pairs.size + held.size;
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      pair.client.destroy();
      pair.upstream.destroy();
    }
    for (const entry of [...held]) {
      held.delete(entry);
      entry.client.destroy();
    }
    return n;
  };

  const release = () => {
    holding = false;
    for (const entry of [...held]) {
      held.delete(entry);
      entry.stopCollecting();
      if (!entry.client.destroyed) forward(entry.client, entry.buffered);
    }
  };

  return {
    host,
    port,
    url: `http://${host}:${port}`,
    /** live forwarded connection pairs */
    connections: () => pairs.size,
    /** connections accepted while holding and not yet forwarded */
    pending: () => held.size,
    /** connections accepted since start */
    accepted: () => accepted,
    requestHeads: () => heads.map((h) => ({ ...h })),
    dropAll,
    hold: () => { holding = true; },
    release,
    close: async () => {
      holding = false;
      const closed = new Promise((resolve) => server.close(resolve));
      dropAll();
      await closed;
    },
  };
}
