// Transport choice through hostile proxies, in real Chromium against a real Herald:
// - WebSocket refused and SSE buffered: the client falls back to long polling by itself, visibly, and loses
//   nothing; when the proxy stops refusing WebSocket it upgrades back to it, again losing nothing.
// - A connection that goes silent without closing is found by heartbeats (SSE keep-alives, WebSocket pings, the
//   long-poll deadline) and replaced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, launchBrowser, publish, waitFor } from './lib/index.mjs';
import { startHttpProxy } from './lib/http-proxy.mjs';
import { openClientPage } from './lib/client-page.mjs';

let herald;
let browser;
before(async () => {
  herald = await startHerald(['--sse-keepalive', '300ms', '--no-demo'], { name: 'client-fallback' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await herald?.stop();
});

const range = (prefix, from, to) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

test('WebSocket refused and SSE buffered: falls back to long polling, then upgrades to WebSocket when allowed', { timeout: 120_000 }, async (t) => {
  const channel = 'fallback.news';
  const proxy = await startHttpProxy({ host: herald.host, port: herald.port }, { refuseUpgrades: true, bufferStreams: true });
  t.after(() => proxy.close());
  const context = await browser.browser.newContext();
  t.after(() => context.close());
  // publish: true makes WebSocket the preferred transport, SSE the next, long polling the last.
  const client = await openClientPage(await context.newPage(), proxy.url, {
    channel,
    options: { publish: true, openTimeout: 1500, backoff: { initial: 50, max: 500 }, upgradeInterval: 500, upgradeIntervalMax: 2000, pollTimeout: 5 },
  });
  await waitFor(async () => (await client.state()) === 'open' && (await client.transport()) === 'longpoll', {
    timeoutMs: 20_000, message: async () => `long polling; ${await client.describe()}`,
  });
  let rec = await client.rec();
  const tried = rec.states.filter((s) => s.state === 'connecting').map((s) => s.transport);
  assert.deepEqual(tried, ['websocket', 'sse', 'longpoll'], 'tried in order of preference');
  assert.deepEqual(rec.transports.map((x) => `${x.transport}:${x.reason}`), ['longpoll:fallback'], 'the fallback is announced');
  assert.ok(proxy.stats.upgradesRefused >= 1 && proxy.stats.streamsBuffered >= 1, JSON.stringify(proxy.stats));

  for (const m of range('p', 1, 50)) await publish(herald.url, channel, m);
  await client.publish(channel, 'from-the-page'); // publishing works too, over HTTP
  await client.waitForCount(51);

  // The proxy stops refusing WebSocket: the next upgrade probe (every 0.5-2 s here) finds it again. SSE stays
  // buffered, so a probe cycle caught mid-way (WebSocket refused just before, SSE tried just after) cannot stop at
  // SSE: the only way up is WebSocket.
  proxy.mode.refuseUpgrades = false;
  await waitFor(async () => (await client.transport()) === 'websocket' && (await client.state()) === 'open', {
    timeoutMs: 20_000, message: async () => `the upgrade to WebSocket; ${await client.describe()}`,
  });
  for (const m of range('q', 1, 50)) await publish(herald.url, channel, m);
  await client.waitForCount(101);
  rec = await client.rec();
  assert.deepEqual(rec.messages, [...range('p', 1, 50), 'from-the-page', ...range('q', 1, 50)], 'every message once, in order, across the switch');
  assert.deepEqual(rec.transports.map((x) => `${x.transport}:${x.reason}`), ['longpoll:fallback', 'websocket:upgrade']);
  assert.deepEqual(rec.resets, []);
});

for (const transport of ['websocket', 'sse', 'longpoll']) {
  test(`${transport}: a connection that goes silent without closing is found by heartbeats and replaced`, { timeout: 60_000 }, async (t) => {
    const channel = `stall.${transport}`;
    const proxy = await startHttpProxy({ host: herald.host, port: herald.port });
    t.after(() => proxy.close());
    const context = await browser.browser.newContext();
    t.after(() => context.close());
    const client = await openClientPage(await context.newPage(), proxy.url, {
      channel, options: { transport, heartbeatTimeout: 1500, pollTimeout: 1, backoff: { initial: 50, max: 200 } },
    });
    await client.waitForOpen();
    await publish(herald.url, channel, 'before');
    await client.waitForCount(1);

    const stalled = proxy.stall();
    assert.ok(stalled >= 1, 'something to stall');
    await publish(herald.url, channel, 'during');
    await waitFor(async () => (await client.rec()).states.some((s) => s.error === 'heartbeat_timeout'), {
      timeoutMs: 10_000, message: async () => `a heartbeat timeout; ${await client.describe()}`,
    });
    await client.waitForCount(2, 10_000);
    await publish(herald.url, channel, 'after');
    await client.waitForCount(3, 10_000);
    assert.deepEqual((await client.rec()).messages, ['before', 'during', 'after']);
  });
}
