// Runs Herald's JS client (served by Herald at /client/index.js) in a Chromium page and records what it sees.
import { waitFor } from './wait.mjs';

/**
 * Opens `${baseUrl}/` in `page`, then starts a client there with `options` (JSON only) subscribed to `channel`
 * (`since` as the subscribe option). Everything it sees goes into window.rec:
 * { messages: [data], ids: [id], resets: [{channel, reason, position, at}], states: [{state, transport, delay,
 * error}], transports: [{transport, previous, reason}], errors: [text] }.
 * Returns helpers: rec() (the whole record), count() (messages so far), stats() (client.stats), transport(),
 * state(), waitForCount(n, timeoutMs, describe), publish(channel, data) (through the page's client).
 */
export async function openClientPage(page, baseUrl, { options = {}, channel = 'news', since = 'now' } = {}) {
  const response = await page.goto(`${baseUrl}/`);
  if (!response?.ok()) throw new Error(`GET ${baseUrl}/: HTTP ${response?.status()}`);
  await page.evaluate(async ({ options, channel, since }) => {
    const { HeraldClient } = await import('/client/index.js');
    const rec = { messages: [], ids: [], resets: [], states: [], transports: [], errors: [] };
    window.rec = rec;
    const client = new HeraldClient('/', options);
    window.client = client;
    client.on('state', (s) => rec.states.push({ state: s.state, transport: s.transport, delay: s.delay, error: s.error?.code }));
    client.on('transport', (t) => rec.transports.push(t));
    client.on('reset', (r) => rec.resets.push({ ...r, at: rec.messages.length }));
    client.on('error', (e) => rec.errors.push(`${e.code}: ${e.message}`));
    client.subscribe(channel, (m) => {
      rec.messages.push(m.data);
      rec.ids.push(m.id);
    }, { since });
    client.connect();
  }, { options, channel, since });

  const helpers = {
    rec: () => page.evaluate(() => window.rec),
    count: () => page.evaluate(() => window.rec.messages.length),
    stats: () => page.evaluate(() => ({ ...window.client.stats })),
    transport: () => page.evaluate(() => window.client.transport),
    state: () => page.evaluate(() => window.client.state),
    position: () => page.evaluate((c) => window.client.subscriptions.get(c)?.position, channel),
    publish: (ch, data) => page.evaluate(({ ch, data }) => window.client.publish(ch, data), { ch, data }),
    async describe() {
      try {
        const r = await helpers.rec();
        return `received ${r.messages.length} (last ${JSON.stringify(r.messages.slice(-3))}), state ${await helpers.state()} `
          + `on ${await helpers.transport()}, stats ${JSON.stringify(await helpers.stats())}, last states `
          + `${JSON.stringify(r.states.slice(-6))}, resets ${JSON.stringify(r.resets)}, errors ${JSON.stringify(r.errors.slice(-5))}`;
      } catch (err) {
        return `(page unreadable: ${err.message})`;
      }
    },
    waitForOpen(timeoutMs = 15_000) {
      return waitFor(async () => (await helpers.state()) === 'open', { timeoutMs, message: async () => `the client to open; ${await helpers.describe()}` });
    },
    waitForCount(n, timeoutMs = 30_000) {
      return waitFor(async () => (await helpers.count()) >= n, {
        timeoutMs, intervalMs: 50, message: async () => `${n} messages; ${await helpers.describe()}`,
      });
    },
  };
  return helpers;
}

/**
 * Cuts every connection through `proxy` (lib/proxy.mjs) at random moments, `minMs`–`maxMs` apart, until stop().
 * One cut in three is a short outage instead: new connections are held, the live ones cut, and the first
 * reconnection is cut too once it arrives. That second cut matters for long polling: Chromium transparently
 * retries an idempotent GET whose reused keep-alive connection dies before the answer, so a single cut can go
 * unnoticed by the page; a cut of the fresh retry cannot.
 * Returns { stop() → number of cuts that hit at least one connection, drops: [ms since start] }.
 */
export function randomDrops(proxy, { minMs = 80, maxMs = 400 } = {}) {
  const started = Date.now();
  const drops = [];
  let stopped = false;
  let n = 0;
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const loop = (async () => {
    while (!stopped) {
      await pause(minMs + Math.random() * (maxMs - minMs));
      if (stopped) break;
      if (++n % 3 === 0) {
        proxy.hold();
        const cut = proxy.dropAll();
        const deadline = Date.now() + 2000;
        while (!stopped && proxy.pending() === 0 && Date.now() < deadline) await pause(10);
        proxy.dropAll();
        proxy.release();
        if (cut > 0) drops.push(Date.now() - started);
      } else if (proxy.dropAll() > 0) {
        drops.push(Date.now() - started);
      }
    }
  })();
  return {
    drops,
    async stop() {
      stopped = true;
      await loop;
      proxy.release();
      return drops.length;
    },
  };
}
