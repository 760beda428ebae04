// Herald's JS client in real headless Chromium against a real Herald: with each transport forced in turn, 1,000
// messages arrive exactly once and in order while the proxy cuts the connection at random points.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, startProxy, launchBrowser, publish, waitFor } from './lib/index.mjs';
import { openClientPage, randomDrops } from './lib/client-page.mjs';

const TOTAL = 1000;
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

let herald;
let browser;
before(async () => {
  herald = await startHerald([], { name: 'client-delivery' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await herald?.stop();
});

const CASES = [
  ['websocket', { transport: 'websocket' }],
  ['sse (fetch reader)', { transport: 'sse', sse: 'fetch' }],
  ['sse (EventSource)', { transport: 'sse', sse: 'eventsource' }],
  ['longpoll', { transport: 'longpoll', pollTimeout: 5 }],
];

for (const [name, transportOptions] of CASES) {
  test(`${name}: ${TOTAL} messages exactly once, in order, through random connection drops`, { timeout: 120_000 }, async (t) => {
    const channel = `delivery.${transportOptions.transport}.${transportOptions.sse ?? 'x'}`;
    const proxy = await startProxy({ host: herald.host, port: herald.port });
    t.after(() => proxy.close());
    const context = await browser.browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const client = await openClientPage(page, proxy.url, {
      channel,
      options: { ...transportOptions, backoff: { initial: 30, max: 400 }, openTimeout: 5000 },
    });
    try {
      await client.waitForOpen();
      await client.position().then((p) => assert.ok(p, 'the subscription has its starting position'));
      assert.equal(await client.transport(), transportOptions.transport);

      const chaos = randomDrops(proxy, { minMs: 60, maxMs: 350 });
      const ids = [];
      for (let i = 1; i <= TOTAL; i++) {
        ids.push((await publish(herald.url, channel, String(i))).id);
        // Keep the client close behind, so the drops land while messages are in flight to it.
        if (i % 100 === 0) await client.waitForCount(i - 150, 30_000);
      }
      await client.waitForCount(TOTAL - 100, 30_000);
      // A cut can land on an idle keep-alive socket between two polls, which the client rightly never notices;
      // keep cutting until three cuts have really interrupted it (its held poll or stream is always live now).
      await waitFor(async () => (await client.stats()).reconnects >= 3,
        { timeoutMs: 30_000, message: 'three reconnects caused by the cuts' });
      const drops = await chaos.stop();
      await client.waitForCount(TOTAL, 30_000);
      // A late duplicate would arrive before a later message of the channel: send one more and wait for it.
      const sentinel = await publish(herald.url, channel, 'end');
      await client.waitForCount(TOTAL + 1, 15_000);

      const rec = await client.rec();
      const stats = await client.stats();
      t.diagnostic(`${drops} drops at ${JSON.stringify(chaos.drops.slice(0, 20))} ms; client stats ${JSON.stringify(stats)}`);
      assert.deepEqual(rec.messages, [...range(1, TOTAL), 'end'], 'every message once, in order');
      assert.deepEqual(rec.ids, [...ids, sentinel.id], 'with the ids their publishes returned');
      assert.deepEqual(rec.resets, [], 'no history was lost, so no reset');
      assert.ok(drops >= 3, `the connection was cut at least 3 times (cut ${drops})`);
      assert.ok(stats.reconnects >= 3, `the client reconnected after the cuts (${stats.reconnects})`);
      assert.ok(rec.states.some((s) => s.state === 'reconnecting' && s.delay >= 0), 'reconnecting was reported with its delay');
      assert.ok(rec.states.every((s) => !s.transport || s.transport === transportOptions.transport), 'it never left the forced transport');
    } catch (err) {
      await page.screenshot({ path: (await import('./lib/paths.mjs')).outputPath(`client-delivery-${transportOptions.transport}-failure.png`) }).catch(() => {});
      console.error(`client: ${await client.describe()}\nserver log (${herald.logFile}):\n${await herald.logTail(40)}`);
      throw err;
    }
  });
}
