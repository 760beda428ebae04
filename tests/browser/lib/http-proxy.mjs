import http from 'node:http';
import net from 'node:net';

/**
 * An HTTP-aware proxy in front of `target` ({ host, port }; read at each request, so a test can point it at a
 * restarted server) that can misbehave the way corporate proxies do:
 *
 * - refuseUpgrades: answers every WebSocket upgrade with 403 (a proxy that blocks WebSocket);
 * - bufferStreams: forwards a `text/event-stream` response's headers at once but holds its body until the upstream
 *   ends it (a proxy that buffers responses, as nginx does without `X-Accel-Buffering: no`);
 * - stall(): every connection open now stops forwarding in both directions without closing (a dead peer behind a
 *   NAT or a crashed middlebox), while new connections work: only heartbeats can find out.
 *
 * Modes can change at any time: `proxy.mode.refuseUpgrades = false`. Everything else is forwarded as is, Host
 * header included (so the server's same-origin WebSocket check sees the page's own origin).
 * Returns { url, port, mode, stall(), dropAll(), stats, close() }.
 */
export async function startHttpProxy(target, { host = '127.0.0.1', refuseUpgrades = false, bufferStreams = false } = {}) {
  const mode = { refuseUpgrades, bufferStreams };
  const links = new Set(); // { stalled, destroy() } for every proxied exchange or tunnel
  const stats = { requests: 0, upgradesRefused: 0, streamsBuffered: 0, tunnels: 0 };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const link = { stalled: false, destroy: () => { upstream.destroy(); res.destroy(); } };
    links.add(link);
    const done = () => links.delete(link);
    res.on('close', () => {
      done();
      upstream.destroy();
    });
    const upstream = http.request({
      host: target.host ?? '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers,
    }, (up) => {
      const type = String(up.headers['content-type'] ?? '');
      const buffer = mode.bufferStreams && type.startsWith('text/event-stream');
      if (buffer) stats.streamsBuffered++;
      res.writeHead(up.statusCode, up.statusMessage, up.headers);
      res.flushHeaders();
      const held = [];
      up.on('data', (chunk) => {
        if (link.stalled) return; // swallowed: the client never sees it
        if (buffer) held.push(chunk);
        else res.write(chunk);
      });
      up.on('end', () => {
        if (link.stalled) return;
        for (const chunk of held) res.write(chunk);
        res.end();
      });
      up.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk) => { if (!link.stalled) upstream.write(chunk); });
    req.on('end', () => upstream.end());
  });

  server.on('upgrade', (req, socket, head) => {
    if (mode.refuseUpgrades) {
      stats.upgradesRefused++;
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 27\r\nConnection: close\r\n\r\n'
        + 'WebSocket blocked by proxy\n');
      return;
    }
    stats.tunnels++;
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    const link = { stalled: false, destroy: () => { upstream.destroy(); socket.destroy(); } };
    links.add(link);
    const teardown = () => { links.delete(link); link.destroy(); };
    upstream.on('connect', () => {
      let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(`${text}\r\n`);
      if (head?.length) upstream.write(head);
    });
    upstream.on('data', (chunk) => { if (!link.stalled) socket.write(chunk); });
    socket.on('data', (chunk) => { if (!link.stalled) upstream.write(chunk); });
    for (const s of [upstream, socket]) {
      s.on('error', teardown);
      s.on('close', teardown);
    }
  });

  server.listen(0, host);
  await new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address();
  return {
    url: `http://${host}:${port}`,
    port,
    mode,
    stats,
    /** Freezes every connection open now; returns how many. */
    stall() {
      for (const link of links) link.stalled = true;
      return links.size;
    },
    /** Cuts every connection open now; returns how many. */
    dropAll() {
      const n = links.size;
      for (const link of [...links]) {
        links.delete(link);
        link.destroy();
      }
      return n;
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const link of [...links]) link.destroy();
      server.closeAllConnections?.();
      await closed;
    },
  };
}
