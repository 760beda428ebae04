// The server restarts mid-stream. Herald's history is in memory, so the restarted server cannot serve the client's
// cursor; what it promises (docs/protocol.md, "The reset signal") is an explicit `stream_restarted` reset, then
// everything it holds. The client must raise that reset once and keep delivering, exactly once and in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, startProxy, launchBrowser, publish, waitFor } from './lib/index.mjs';
import { openClientPage } from './lib/client-page.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const SERVER_ARGS = ['--shutdown-grace', '3s', '--no-demo'];

for (const transport of ['websocket', 'sse', 'longpoll']) {
  test(`${transport}: a server restart mid-stream raises one reset, then delivery goes on`, { timeout: 120_000 }, async (t) => {
    const channel = `restart.${transport}`;
    const first = await startHerald(SERVER_ARGS, { name: `client-restart-${transport}-a` });
    t.after(() => first.stop());
    const target = { host: first.host, port: first.port }; // the proxy reads it per connection: repointed below
    const proxy = await startProxy(target);
    t.after(() => proxy.close());
    const context = await browser.browser.newContext();
    t.after(() => context.close());
    const client = await openClientPage(await context.newPage(), proxy.url, {
      channel, options: { transport, backoff: { initial: 50, max: 300 }, pollTimeout: 5 },
    });
    await client.waitForOpen();

    // Publish to the first server as fast as it takes them, until it goes away.
    const acked = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 1; publishing; i++) {
        try {
          await publish(first.url, channel, `a${i}`);
          acked.push(`a${i}`);
        } catch {
          return;
        }
      }
    })();
    await client.waitForCount(100);
    await first.stop(); // SIGTERM: graceful; the client is told to reconnect
    publishing = false;
    await publisher;

    const second = await startHerald(SERVER_ARGS, { name: `client-restart-${transport}-b` });
    t.after(() => second.stop());
    target.port = second.port;
    const later = [];
    for (let i = 1; i <= 200; i++) {
      await publish(second.url, channel, `b${i}`);
      later.push(`b${i}`);
    }
    await waitFor(async () => (await client.rec()).messages.at(-1) === 'b200', {
      timeoutMs: 30_000, message: async () => `b200 after the restart; ${await client.describe()}`,
    });

    const rec = await client.rec();
    assert.equal(rec.resets.length, 1, `one reset: ${JSON.stringify(rec.resets)}`);
    const [reset] = rec.resets;
    assert.equal(reset.channel, channel);
    assert.equal(reset.reason, 'stream_restarted');
    const before = rec.messages.slice(0, reset.at);
    const afterReset = rec.messages.slice(reset.at);
    assert.ok(before.length >= 100, `at least 100 messages before the restart (${before.length})`);
    assert.deepEqual(before, acked.slice(0, before.length), 'before the restart: a prefix of what was published, in order');
    assert.deepEqual(afterReset, later, 'after the reset: everything the new server holds, once, in order');
    assert.ok(rec.states.some((s) => s.state === 'reconnecting'), 'the restart was visible as reconnecting');
    assert.equal(await client.transport(), transport);
    t.diagnostic(`${before.length} of ${acked.length} messages of the first server arrived before it stopped; `
      + `reset ${JSON.stringify(reset)}; stats ${JSON.stringify(await client.stats())}`);
  });
}
