// WebSocket (GET /v1/ws) in real headless Chromium: the chat room with presence and an abrupt drop, resume
// after a network drop with the last id, binary frames both ways, the Origin check, the application-level
// ping a browser uses (it cannot see WebSocket pings), and close 1012 when the server stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHerald, startProxy, launchBrowser, publish, waitFor, REPO_ROOT } from './lib/index.mjs';

// Installed in every page: opens named WebSockets and records what each receives, in order.
const RECORDER = `
window.sockets = {};
window.received = {};
window.closes = {};
window.errors = {};
window.openWs = (name, query = '') => new Promise((resolve) => {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ws' + query);
  ws.binaryType = 'arraybuffer';
  window.sockets[name] = ws;
  window.received[name] = [];
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') {
      window.received[name].push(JSON.parse(e.data));
    } else {
      const bytes = new Uint8Array(e.data);
      const n = (bytes[0] << 8) | bytes[1];
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(2, 2 + n)));
      window.received[name].push({ ...header, binary: Array.from(bytes.subarray(2 + n)) });
    }
  };
  ws.onopen = () => resolve('open');
  ws.onerror = () => { window.errors[name] = true; };
  ws.onclose = (e) => { window.closes[name] = { code: e.code, reason: e.reason }; resolve('closed'); };
});
window.sendWs = (name, frame) => window.sockets[name].send(JSON.stringify(frame));
window.sendBinary = (name, header, bytes) => {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const frame = new Uint8Array(2 + head.length + bytes.length);
  frame[0] = head.length >> 8; frame[1] = head.length & 0xff;
  frame.set(head, 2); frame.set(bytes, 2 + head.length);
  window.sockets[name].send(frame);
};
`;

const frames = (page, name) => page.evaluate((n) => window.received[n] ?? [], name);
const ofType = async (page, name, type) => (await frames(page, name)).filter((f) => f.type === type);
const waitForFrames = (page, name, predicate, what, timeoutMs = 15_000) =>
  waitFor(async () => {
    const matching = (await frames(page, name)).filter(predicate);
    return matching.length ? matching : null;
  }, { timeoutMs, message: async () => `${what}; ${name} has ${JSON.stringify(await frames(page, name)).slice(0, 2000)}` });

async function openPage(browser, url) {
  const page = await browser.context.newPage();
  const response = await page.goto(url);
  assert.ok(response, `GET ${url}`);
  await page.addScriptTag({ content: RECORDER });
  return page;
}

test('chat room in Chromium: two clients see each other in order, and an abrupt drop is a leave', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald([], { name: 'websocket-chat' });
  t.after(() => herald.stop());
  const proxy = await startProxy({ host: herald.host, port: herald.port });
  t.after(() => proxy.close());
  const b = await launchBrowser();
  t.after(() => b.close());

  try {
    const alicePage = await openPage(b, `${herald.url}/`);
    const bobPage = await openPage(b, `${proxy.url}/`); // bob's connection runs through a proxy we can cut
    assert.equal(await alicePage.evaluate(() => window.openWs('alice', '?client=alice')), 'open');
    assert.equal(await bobPage.evaluate(() => window.openWs('bob', '?client=bob')), 'open');
    const [hello] = await waitForFrames(alicePage, 'alice', (f) => f.type === 'connected', 'connected frame');
    assert.equal(hello.client, 'alice');
    assert.ok(hello.pingInterval > 0 && hello.pingTimeout > 0);

    await alicePage.evaluate(() => window.sendWs('alice', { type: 'subscribe', channel: 'room', presence: true, ref: 'a' }));
    await waitForFrames(alicePage, 'alice', (f) => f.type === 'presence' && f.action === 'sync', 'alice sync');
    await bobPage.evaluate(() => window.sendWs('bob', { type: 'subscribe', channel: 'room', presence: true, ref: 'b' }));
    const [bobSync] = await waitForFrames(bobPage, 'bob', (f) => f.type === 'presence' && f.action === 'sync', 'bob sync');
    assert.deepEqual(bobSync.members.map((m) => m.client), ['alice', 'bob']);
    const [join] = await waitForFrames(alicePage, 'alice', (f) => f.type === 'presence' && f.action === 'join', 'bob joining');
    assert.equal(join.member.client, 'bob');

    for (let i = 0; i < 10; i++) {
      const [page, name] = i % 2 === 0 ? [alicePage, 'alice'] : [bobPage, 'bob'];
      await page.evaluate(([n, text]) => window.sendWs(n, { type: 'publish', channel: 'room', data: text, event: 'chat' }), [name, `m${i}`]);
    }
    const texts = async (page, name) => (await ofType(page, name, 'message')).map((m) => m.data);
    await waitFor(async () => (await texts(alicePage, 'alice')).length === 10 && (await texts(bobPage, 'bob')).length === 10,
      { timeoutMs: 15_000, message: 'ten chat messages on both sides' });
    const aliceSaw = await texts(alicePage, 'alice');
    assert.deepEqual(aliceSaw, await texts(bobPage, 'bob'), 'both see one order');
    assert.deepEqual(aliceSaw.filter((m) => ['m0', 'm2', 'm4', 'm6', 'm8'].includes(m)), ['m0', 'm2', 'm4', 'm6', 'm8']);
    assert.deepEqual(aliceSaw.filter((m) => ['m1', 'm3', 'm5', 'm7', 'm9'].includes(m)), ['m1', 'm3', 'm5', 'm7', 'm9']);

    assert.ok(proxy.dropAll() >= 1, 'bob had a connection through the proxy');
    const [leave] = await waitForFrames(alicePage, 'alice', (f) => f.type === 'presence' && f.action === 'leave', 'bob leaving');
    assert.equal(leave.member.client, 'bob');
    const listed = await (await fetch(`${herald.url}/v1/channels/room/presence`)).json();
    assert.deepEqual(listed.members.map((m) => m.client), ['alice']);
    assert.deepEqual(b.pageErrors, []);
  } catch (err) {
    console.error(`server log (${herald.logFile}):\n${await herald.logTail(60)}`);
    throw err;
  }
});

test('resume in Chromium after a network drop: 1,000 messages, none lost, none twice', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald(['--history-size', '2000'], { name: 'websocket-resume' });
  t.after(() => herald.stop());
  const proxy = await startProxy({ host: herald.host, port: herald.port });
  t.after(() => proxy.close());
  const b = await launchBrowser();
  t.after(() => b.close());

  try {
    const page = await openPage(b, `${proxy.url}/`);
    await page.evaluate(() => window.openWs('first'));
    await page.evaluate(() => window.sendWs('first', { type: 'subscribe', channel: 'feed', ref: 1 }));
    await waitForFrames(page, 'first', (f) => f.type === 'ack', 'subscribe ack');
    for (let i = 1; i <= 500; i++) await publish(herald.url, 'feed', String(i));
    await waitFor(async () => (await ofType(page, 'first', 'message')).length === 500, { timeoutMs: 20_000, message: '1..500' });

    proxy.hold();
    proxy.dropAll();
    await waitFor(() => page.evaluate(() => window.closes.first), { message: 'the browser to notice the drop' });
    assert.equal((await page.evaluate(() => window.closes.first)).code, 1006, 'an abnormal close, no close frame');
    for (let i = 501; i <= 1000; i++) await publish(herald.url, 'feed', String(i));
    proxy.release();

    const first = await ofType(page, 'first', 'message');
    const lastId = first[first.length - 1].id;
    await page.evaluate(() => window.openWs('second'));
    await page.evaluate((after) => window.sendWs('second', { type: 'subscribe', channel: 'feed', after, ref: 2 }), lastId);
    const [ack] = await waitForFrames(page, 'second', (f) => f.type === 'ack', 'resume ack');
    assert.equal(ack.position, lastId);
    await waitFor(async () => (await ofType(page, 'second', 'message')).length >= 500, { timeoutMs: 20_000, message: '501..1000' });
    const sentinel = await publish(herald.url, 'feed', 'end');
    await waitFor(async () => (await ofType(page, 'second', 'message')).some((m) => m.data === 'end'), { message: 'sentinel' });

    const all = [...first, ...(await ofType(page, 'second', 'message'))].map((m) => m.data);
    assert.deepEqual(all, [...Array.from({ length: 1000 }, (_, i) => String(i + 1)), 'end']);
    assert.deepEqual(await ofType(page, 'second', 'reset'), []);
    assert.equal((await ofType(page, 'second', 'message')).at(-1).id, sentinel.id);
  } catch (err) {
    console.error(`server log (${herald.logFile}):\n${await herald.logTail(60)}`);
    throw err;
  }
});

test('binary frames in Chromium, byte-exact both ways, and an HTTP octet-stream publish arrives as binary', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald([], { name: 'websocket-binary' });
  t.after(() => herald.stop());
  const b = await launchBrowser();
  t.after(() => b.close());

  const page = await openPage(b, `${herald.url}/`);
  await page.evaluate(() => Promise.all([window.openWs('pub'), window.openWs('sub')]));
  await page.evaluate(() => window.sendWs('sub', { type: 'subscribe', channel: 'bin', ref: 1 }));
  await waitForFrames(page, 'sub', (f) => f.type === 'ack', 'subscribe ack');

  const bytes = Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);
  await page.evaluate((b) => window.sendBinary('pub', { type: 'publish', channel: 'bin', event: 'blob', ref: 'x' }, new Uint8Array(b)), bytes);
  const [fromWs] = await waitForFrames(page, 'sub', (f) => f.binary, 'a binary message');
  assert.deepEqual(fromWs.binary, bytes);
  assert.equal(fromWs.event, 'blob');
  const [ack] = await waitForFrames(page, 'pub', (f) => f.type === 'ack', 'publish ack');
  assert.equal(ack.id, fromWs.id);

  const httpBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
  const res = await fetch(`${herald.url}/v1/channels/bin/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: httpBytes,
  });
  assert.equal(res.status, 200);
  await waitFor(async () => (await frames(page, 'sub')).filter((f) => f.binary).length === 2, { message: 'the HTTP binary message' });
  const fromHttp = (await frames(page, 'sub')).filter((f) => f.binary)[1];
  assert.deepEqual(fromHttp.binary, Array.from(httpBytes));
});

test('Chromium: a foreign origin is refused, the app-level ping is answered, and shutdown closes with 1012', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald([], { name: 'websocket-lifecycle' });
  let stopped = false;
  t.after(() => (stopped ? null : herald.stop()));
  // A page on another origin that tries to open a WebSocket to Herald with the visitor's browser.
  const foreign = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>foreign</title>');
  });
  foreign.listen(0, '127.0.0.1');
  await new Promise((resolve) => foreign.once('listening', resolve));
  t.after(() => new Promise((resolve) => foreign.close(resolve)));
  const b = await launchBrowser();
  t.after(() => b.close());

  const evil = await openPage(b, `http://127.0.0.1:${foreign.address().port}/`);
  const result = await evil.evaluate((port) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    ws.onopen = () => resolve('opened');
    ws.onclose = (e) => resolve(`closed ${e.code}`);
  }), herald.port);
  assert.equal(result, 'closed 1006', 'the handshake was refused, so the page never got a connection');
  // What the browser was told (a page cannot read it): 403 with a JSON reason, before any upgrade.
  const refused = await new Promise((resolve, reject) => {
    const req = http.get({
      host: herald.host, port: herald.port, path: '/v1/ws',
      headers: {
        Origin: `http://127.0.0.1:${foreign.address().port}`, Connection: 'Upgrade', Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13',
      },
    }, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
    });
    req.on('upgrade', () => reject(new Error('the foreign origin was upgraded')));
    req.on('error', reject);
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, 'forbidden_origin');

  const page = await openPage(b, `${herald.url}/`);
  await page.evaluate(() => window.openWs('c'));
  await page.evaluate(() => window.sendWs('c', { type: 'ping', ref: 'hb' }));
  const [pong] = await waitForFrames(page, 'c', (f) => f.type === 'pong', 'pong');
  assert.equal(pong.ref, 'hb');

  await page.evaluate(() => window.sendWs('c', { type: 'subscribe', channel: 'news', ref: 1 }));
  await waitForFrames(page, 'c', (f) => f.type === 'ack', 'subscribe ack');
  stopped = true;
  const exit = await herald.stop();
  assert.equal(exit.code, 0);
  await waitFor(() => page.evaluate(() => window.closes.c), { message: 'the close event' });
  assert.equal((await page.evaluate(() => window.closes.c)).code, 1012);
});

test('Chromium negotiates permessage-deflate when the server offers it (--ws-compression)', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald(['--ws-compression'], { name: 'websocket-compression' });
  t.after(() => herald.stop());
  const b = await launchBrowser();
  t.after(() => b.close());

  const page = await openPage(b, `${herald.url}/`);
  await page.evaluate(() => window.openWs('z'));
  assert.match(await page.evaluate(() => window.sockets.z.extensions), /permessage-deflate/);
  await page.evaluate(() => window.sendWs('z', { type: 'subscribe', channel: 'z', ref: 1 }));
  await waitForFrames(page, 'z', (f) => f.type === 'ack', 'subscribe ack');
  const text = 'all work and no play '.repeat(500);
  await page.evaluate((data) => window.sendWs('z', { type: 'publish', channel: 'z', data }), text);
  const [message] = await waitForFrames(page, 'z', (f) => f.type === 'message', 'the compressed round trip');
  assert.equal(message.data, text);
});

// The README's WebSocket snippet, verbatim (the last test checks the README still has it).
const README_SNIPPET = `const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/v1/ws?client=alice');
ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', channel: 'room', presence: true }));
ws.onmessage = (e) => console.log(JSON.parse(e.data)); // connected, ack, message, presence, reset, ...`;

test('the README WebSocket snippet runs in Chromium as written', { timeout: 120_000 }, async (t) => {
  const herald = await startHerald([], { name: 'websocket-readme' });
  t.after(() => herald.stop());
  const b = await launchBrowser();
  t.after(() => b.close());
  const page = await openPage(b, `${herald.url}/`);
  const logged = [];
  page.on('console', async (msg) => {
    const [arg] = msg.args();
    if (arg) logged.push(await arg.jsonValue().catch(() => null));
  });
  await page.addScriptTag({ content: README_SNIPPET });
  await waitFor(() => logged.some((f) => f?.type === 'presence' && f.action === 'sync'), { message: 'ack and presence sync' });
  assert.deepEqual(logged.map((f) => f?.type).slice(0, 3), ['connected', 'ack', 'presence']);
  await publish(herald.url, 'room', 'hello from curl');
  await waitFor(() => logged.some((f) => f?.type === 'message' && f.data === 'hello from curl'), { message: 'the message' });
});

test('the README contains the WebSocket snippet this test runs, verbatim', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const squash = (s) => s.replace(/\s+/g, ' ').trim();
  assert.ok(squash(readme).includes(squash(README_SNIPPET)),
    `README.md's WebSocket snippet differs from the one tested in tests/browser/websocket.test.mjs:\n${README_SNIPPET}`);
});
