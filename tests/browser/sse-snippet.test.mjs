// The README's SSE snippet, verbatim, in real headless Chromium, through a network drop:
// every message arrives exactly once, in order, with no 'history lost' reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHerald, startProxy, launchBrowser, publish, waitFor, REPO_ROOT } from './lib/index.mjs';

// Verbatim from the README. Do not edit one without the other (the last test checks).
const SNIPPET = `const es = new EventSource('/v1/sse?channel=news');
es.onmessage = (e) => console.log(e.lastEventId, e.data);
es.addEventListener('reset', (e) => console.warn('history lost', e.data));`;

// Installed before the snippet runs: records what the snippet logs, without changing its text.
const RECORDER = `window.received = [];
window.receivedIds = [];
window.warnings = [];
(() => {
  const log = console.log.bind(console);
  const warn = console.warn.bind(console);
  console.log = (...args) => {
    if (args.length === 2 && typeof args[1] === 'string') {
      window.receivedIds.push(args[0]);
      window.received.push(args[1]);
    }
    log(...args);
  };
  console.warn = (...args) => {
    window.warnings.push(args.map(String).join(' '));
    warn(...args);
  };
})();`;

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

test('README SSE snippet resumes after a network drop with no loss and no duplicates', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald([], { name: 'sse-snippet' });
  t.after(() => herald.stop());
  const proxy = await startProxy({ host: herald.host, port: herald.port });
  t.after(() => proxy.close());
  const b = await launchBrowser();
  t.after(() => b.close());
  const { page } = b;

  const state = () => page.evaluate(() => ({
    readyState: typeof es === 'undefined' ? null : es.readyState, // eslint-disable-line no-undef
    received: window.received,
    receivedIds: window.receivedIds,
    warnings: window.warnings,
  }));
  const describe = async (what) => {
    let s;
    try { s = await state(); } catch (err) { s = String(err); }
    return `${what}; page state: ${JSON.stringify(s)}; proxy accepted ${proxy.accepted()} connection(s); ` +
      `console errors: ${JSON.stringify(b.consoleErrors)}; page errors: ${JSON.stringify(b.pageErrors)}; server log: ${herald.logFile}`;
  };

  try {
    const response = await page.goto(`${proxy.url}/`);
    assert.ok(response?.ok(), `GET / through the proxy: HTTP ${response?.status()}`);

    await page.addScriptTag({ content: RECORDER });
    await page.addScriptTag({ content: SNIPPET });
    await waitFor(async () => (await state()).readyState === 1, {
      timeoutMs: 10_000,
      message: () => describe('the EventSource to open (readyState 1)'),
    });

    // 1..50 while connected, published straight to the server (not through the proxy).
    const ids = [];
    for (const text of range(1, 50)) ids.push((await publish(herald.url, 'news', text)).id);
    await waitFor(async () => (await state()).received.length >= 50, {
      timeoutMs: 10_000,
      message: () => describe('messages 1..50 to arrive'),
    });
    assert.deepEqual((await state()).received, range(1, 50), 'messages 1..50, in order, once each');

    // Network drop: the stream's TCP connection dies. New connections are held by the proxy
    // until release(), so 51..100 are surely published while the browser is disconnected.
    const acceptedAtDrop = proxy.accepted();
    proxy.hold();
    const dropped = proxy.dropAll();
    assert.ok(dropped >= 1, 'the proxy had the stream connection to drop');
    await waitFor(async () => (await state()).readyState !== 1, {
      timeoutMs: 10_000,
      message: () => describe('the browser to notice the drop'),
    });

    for (const text of range(51, 100)) ids.push((await publish(herald.url, 'news', text)).id);
    assert.deepEqual((await state()).received, range(1, 50), 'nothing arrives while disconnected');

    proxy.release();
    await waitFor(async () => (await state()).received.length >= 100, {
      timeoutMs: 20_000,
      message: () => describe('the browser to reconnect and receive 51..100'),
    });
    // A late duplicate would come before a later message on the same channel: publish a
    // sentinel and wait for it, so the check below sees everything the stream sent before it.
    const sentinel = await publish(herald.url, 'news', 'end');
    await waitFor(async () => (await state()).received.includes('end'), {
      timeoutMs: 10_000,
      message: () => describe('the sentinel message after 100'),
    });
    const final = await state();

    assert.deepEqual(final.received, [...range(1, 100), 'end'], 'all 100 messages, in order, exactly once');
    assert.deepEqual(final.receivedIds, [...ids, sentinel.id], 'each event carries the id its publish returned');
    assert.deepEqual(final.warnings, [], "no 'history lost' reset");
    assert.deepEqual(b.pageErrors, [], 'no uncaught errors in the page');

    // The browser resumed by itself, sending the last id it saw.
    const resumes = proxy.requestHeads()
      .filter((h) => h.index > acceptedAtDrop && /^GET \/v1\/sse\?channel=news[ &]/.test(h.text));
    assert.ok(resumes.length >= 1, `a reconnect to /v1/sse after the drop; saw: ${JSON.stringify(proxy.requestHeads().map((h) => h.text.split('\r\n')[0]))}`);
    const lastEventId = /\r\nlast-event-id: *([^\r\n]*)\r\n/i.exec(resumes[0].text)?.[1];
    assert.equal(lastEventId, ids[49], 'the reconnect carries Last-Event-ID of message 50');
  } catch (err) {
    const shot = await b.screenshot('sse-snippet-failure').catch(() => null);
    console.error(`screenshot: ${shot}\nserver log (${herald.logFile}), last lines:\n${await herald.logTail(60)}`);
    throw err;
  }
});

test('the README contains the snippet this test runs, verbatim', () => {
  const readme = join(REPO_ROOT, 'README.md');
  assert.ok(existsSync(readme), 'README.md exists');
  const text = readFileSync(readme, 'utf8');
  const squash = (s) => s.replace(/\s+/g, ' ').trim();
  assert.ok(squash(text).includes(squash(SNIPPET)),
    `README.md's EventSource snippet differs from the one tested in tests/browser/sse-snippet.test.mjs:\n${SNIPPET}`);
});
