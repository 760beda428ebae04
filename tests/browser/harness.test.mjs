// Checks the test harness itself (proxy, Chromium launch, waits) against a tiny Node server,
// so that a failure in the Herald tests can be told apart from a broken harness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { startProxy, launchBrowser, waitFor } from './lib/index.mjs';

async function startFakeServer() {
  const server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>fake</title><h1>harness</h1>');
    } else if (req.url.startsWith('/events')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      const last = Number(req.headers['last-event-id'] ?? 0);
      res.write('retry: 100\n\n');
      for (let i = last + 1; i <= last + 3; i++) res.write(`id: ${i}\ndata: m${i}\n\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, port: server.address().port, close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); } };
}

test('proxy forwards, drops every connection, and holds new ones until release', async (t) => {
  const echo = net.createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await new Promise((r) => echo.once('listening', r));
  t.after(() => new Promise((r) => echo.close(r)));
  const proxy = await startProxy({ host: '127.0.0.1', port: echo.address().port });
  t.after(() => proxy.close());

  const connect = () => new Promise((resolve, reject) => {
    const s = net.connect(proxy.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const roundTrip = (s, text) => new Promise((resolve) => {
    let got = '';
    const onData = (d) => { got += d; if (got.length >= text.length) { s.off('data', onData); resolve(got); } };
    s.on('data', onData);
    s.write(text);
  });

  const a = await connect();
  const b = await connect();
  assert.equal(await roundTrip(a, 'hello'), 'hello');
  await waitFor(() => proxy.connections() === 2, { message: 'two live pairs' });

  const closed = Promise.all([a, b].map((s) => new Promise((r) => s.once('close', r))));
  assert.equal(proxy.dropAll(), 2);
  await closed;
  assert.equal(proxy.connections(), 0);

  proxy.hold();
  const c = await connect();
  c.on('error', () => {});
  const reply = new Promise((resolve) => c.once('data', (d) => resolve(String(d))));
  c.write('held');
  await waitFor(() => proxy.pending() === 1, { message: 'one held connection' });
  proxy.release();
  assert.equal(await reply, 'held');
  assert.equal(proxy.accepted(), 3);
  assert.equal(proxy.requestHeads()[2].text, 'held');
  c.destroy();
});

test('headless Chromium starts and follows an EventSource through a proxy drop', { timeout: 60_000, skip: !existsSync(process.env.HERALD_CHROMIUM || '/usr/bin/chromium') && 'no chromium' }, async (t) => {
  const fake = await startFakeServer();
  t.after(() => fake.close());
  const proxy = await startProxy({ host: '127.0.0.1', port: fake.port });
  t.after(() => proxy.close());
  const b = await launchBrowser();
  t.after(() => b.close());

  await b.page.goto('data:text/html,<h1>data page</h1>');
  assert.equal(await b.page.textContent('h1'), 'data page');

  await b.page.goto(`${proxy.url}/`);
  await b.page.evaluate(() => {
    window.got = [];
    window.source = new EventSource('/events');
    window.source.onmessage = (e) => window.got.push(e.data);
  });
  await waitFor(async () => (await b.page.evaluate(() => window.got.length)) >= 3, { message: 'three events' });
  proxy.dropAll();
  await waitFor(async () => (await b.page.evaluate(() => window.got.length)) >= 6, { timeoutMs: 10_000, message: 'three more events after the reconnect' });
  const got = await b.page.evaluate(() => window.got.slice(0, 6));
  assert.deepEqual(got, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  const file = await b.screenshot('harness-page');
  assert.ok(existsSync(file));
});
