import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeraldClient } from '../src/index.js';
import { FakeHerald, until } from './fake-server.js';

const FAST = {
  backoff: { initial: 5, max: 20 },
  openTimeout: 300,
  heartbeatTimeout: 400,
  pollTimeout: 1,
  upgradeInterval: 50,
  upgradeIntervalMax: 200,
};

function client(server, options = {}) {
  const c = new HeraldClient('http://herald.test/', { fetch: server.fetch, WebSocket: server.WebSocket, ...FAST, ...options });
  const log = { states: [], transports: [], resets: [], errors: [] };
  c.on('state', (s) => log.states.push(s.state === 'reconnecting' ? `reconnecting:${s.transport}` : `${s.state}:${s.transport}`));
  c.on('transport', (t) => log.transports.push(`${t.previous}->${t.transport}:${t.reason}`));
  c.on('reset', (r) => log.resets.push(r));
  c.on('error', (e) => log.errors.push(e));
  return { c, log };
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

for (const transport of ['websocket', 'sse', 'longpoll']) {
  test(`${transport}: every message exactly once, in order, across drops and overlapping replays`, async (t) => {
    const server = new FakeHerald();
    server.replayOverlap = 3; // every resume also replays 3 messages the client has: they must be dropped
    const { c, log } = client(server, { transport });
    t.after(() => c.close());
    const got = [];
    c.subscribe('news', (m) => got.push(m.data));
    c.connect();
    await until(() => c.state === 'open' && c.subscriptions.get('news').position, { message: 'open' });
    for (let i = 1; i <= 300; i++) {
      server.publish('news', i);
      if (i % 37 === 0) await until(() => server.dropAll() > 0, { message: 'a connection to drop' });
      if (i % 50 === 0) await until(() => got.length >= i - 20, { message: () => `~${i} messages, got ${got.length}` });
    }
    await until(() => got.length >= 300, { message: () => `300 messages, got ${got.length}` });
    server.publish('news', 'end');
    await until(() => got.includes('end'), { message: 'the sentinel' });
    assert.deepEqual(got, [...range(1, 300), 'end']);
    assert.ok(c.stats.duplicates > 0, 'the overlapping replays were seen and dropped');
    assert.ok(c.stats.reconnects >= 1, 'it reconnected');
    assert.ok(log.states.includes(`reconnecting:${transport}`));
    assert.deepEqual(log.resets, []);
  });

  test(`${transport}: a restart that loses history raises one reset per channel, then delivery goes on`, async (t) => {
    const server = new FakeHerald();
    const { c, log } = client(server, { transport });
    t.after(() => c.close());
    const got = [];
    const subResets = [];
    c.subscribe('a', (m) => got.push(`a${m.data}`)).on('reset', (r) => subResets.push(r.channel));
    c.subscribe('b', (m) => got.push(`b${m.data}`));
    c.connect();
    await until(() => c.state === 'open' && c.subscriptions.get('b').position, { message: 'open' });
    server.publish('a', 1);
    server.publish('b', 1);
    await until(() => got.length === 2);
    server.restart();
    server.publish('a', 2);
    server.publish('b', 2);
    await until(() => got.length === 4, { message: () => `4 messages, got ${got}` });
    server.publish('a', 3);
    await until(() => got.length === 5);
    assert.deepEqual(got.filter((g) => g[0] === 'a'), ['a1', 'a2', 'a3']);
    assert.deepEqual(got.filter((g) => g[0] === 'b'), ['b1', 'b2']);
    assert.deepEqual(log.resets.map((r) => `${r.channel}:${r.reason}`).sort(), ['a:stream_restarted', 'b:stream_restarted']);
    assert.deepEqual(subResets, ['a']);
  });
}

test('sse: a multi-channel stream attributes each message by the position that changed in the composite id', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'sse' });
  t.after(() => c.close());
  const got = [];
  for (const ch of ['x', 'y', 'z']) c.subscribe(ch, (m) => got.push(`${m.channel}:${m.data}:${m.id.split('-')[1]}`));
  c.connect();
  await until(() => c.state === 'open' && [...c.subscriptions.values()].every((s) => s.position));
  await until(() => server.streams.size === 1, { message: 'one stream for three channels' });
  server.publish('y', 'a');
  server.publish('x', 'b');
  server.publish('y', 'c');
  server.publish('z', 'd');
  await until(() => got.length === 4);
  assert.deepEqual(got, ['y:a:1', 'x:b:1', 'y:c:2', 'z:d:1']);
  const sse = server.requests.filter((r) => r.path === '/v1/sse').at(-1);
  assert.deepEqual(sse.params.getAll('channel'), ['x', 'y', 'z']);
  assert.equal(sse.params.get('lastEventId').split(',').length, 3);
});

test('sse: ephemeral messages reach a single-channel stream; on a multi-channel one they are unrouted', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'sse' });
  t.after(() => c.close());
  const got = [];
  const unrouted = [];
  c.on('unrouted', (m) => unrouted.push(m.data));
  c.subscribe('typing', (m) => got.push([m.data, m.ephemeral, m.id]));
  c.connect();
  await until(() => server.streams.size === 1 && c.state === 'open');
  server.publish('typing', 'alice', { ephemeral: true });
  server.publish('typing', 'stored');
  server.publish('typing', 'bob', { ephemeral: true });
  await until(() => got.length === 3);
  assert.deepEqual(got.map((g) => g.slice(0, 2)), [['alice', true], ['stored', false], ['bob', true]]);
  c.subscribe('other');
  await until(() => server.requests.filter((r) => r.path === '/v1/sse').length === 2 && server.streams.size === 1);
  server.publish('typing', 'carol', { ephemeral: true });
  await until(() => unrouted.length === 1);
  assert.deepEqual(unrouted, ['carol']);
});

test('subscribing while open reopens the stream from the current cursor, losing nothing', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'sse' });
  t.after(() => c.close());
  const got = [];
  c.subscribe('a', (m) => got.push(`a${m.data}`));
  c.connect();
  await until(() => c.state === 'open' && server.streams.size === 1);
  server.publish('a', 1);
  await until(() => got.length === 1);
  server.publish('b', 'before'); // published before the subscription: not delivered ('now')
  c.subscribe('b', (m) => got.push(`b${m.data}`));
  server.publish('a', 2); // may land on the old stream or the new one's replay: once either way
  await until(() => c.subscriptions.get('b').position && server.streams.size === 1);
  server.publish('b', 1);
  server.publish('a', 3);
  await until(() => got.length === 4, { message: () => `4 messages, got ${got}` });
  assert.deepEqual(got, ['a1', 'a2', 'b1', 'a3']);
});

test("since: 'earliest' replays what the server holds, then goes live; since: an id resumes after it", async (t) => {
  const server = new FakeHerald();
  const ids = [1, 2, 3, 4].map((i) => server.publish('log', i));
  const { c } = client(server, { transport: 'longpoll' });
  t.after(() => c.close());
  const all = [];
  const resumed = [];
  c.subscribe('log', (m) => all.push(m.data), { since: 'earliest' });
  c.connect();
  await until(() => all.length === 4);
  const { c: c2 } = client(server, { transport: 'sse' });
  t.after(() => c2.close());
  c2.subscribe('log', (m) => resumed.push(m.data), { since: ids[1] });
  c2.connect();
  await until(() => resumed.length === 2);
  server.publish('log', 5);
  await until(() => all.length === 5 && resumed.length === 3);
  assert.deepEqual(all, ['1', '2', '3', '4', '5']);
  assert.deepEqual(resumed, ['3', '4', '5']);
});

test('auto: SSE and WebSocket refused fall back to long polling, visibly, and it upgrades when SSE works again', async (t) => {
  const server = new FakeHerald();
  server.sse = 'refuse';
  server.ws = 'refuse';
  const { c, log } = client(server);
  t.after(() => c.close());
  const got = [];
  c.subscribe('news', (m) => got.push(m.data));
  c.connect();
  await until(() => c.state === 'open' && c.transport === 'longpoll', { message: () => `long polling; ${log.states}` });
  assert.deepEqual(log.transports, ['null->longpoll:fallback']);
  assert.ok(log.errors.length === 0, 'a 503 is an outage, not an application error');
  server.publish('news', 1);
  await until(() => got.length === 1);
  server.sse = 'ok';
  await until(() => c.transport === 'sse' && server.streams.size === 1, { message: () => `upgrade; ${log.transports}` });
  server.publish('news', 2);
  server.publish('news', 3);
  await until(() => got.length === 3);
  assert.deepEqual(got, ['1', '2', '3']);
  assert.deepEqual(log.transports, ['null->longpoll:fallback', 'longpoll->sse:upgrade']);
  assert.equal(c.stats.fallbacks, 1);
  assert.equal(c.stats.upgrades, 1);
});

test('auto: a proxy that buffers the stream (no preamble) is caught by openTimeout and long polling takes over', async (t) => {
  const server = new FakeHerald();
  server.sse = 'buffer';
  server.ws = 'refuse';
  const { c, log } = client(server, { upgradeInterval: 60_000 });
  t.after(() => c.close());
  const got = [];
  c.subscribe('news', (m) => got.push(m.data));
  c.connect();
  await until(() => c.state === 'open' && c.transport === 'longpoll', { message: () => `${log.states}` });
  server.publish('news', 'hi');
  await until(() => got.length === 1);
  assert.deepEqual(log.states.slice(0, 6), ['connecting:sse', 'reconnecting:sse', 'connecting:websocket',
    'reconnecting:websocket', 'connecting:longpoll', 'open:longpoll']);
});

test('a silent SSE stream (keep-alives missed) is declared dead after heartbeatTimeout and reopened', async (t) => {
  const server = new FakeHerald();
  server.sse = 'silent';
  const { c, log } = client(server, { transport: 'sse', heartbeatTimeout: 150 });
  t.after(() => c.close());
  const errors = [];
  c.on('state', (s) => s.error && errors.push(s.error.code));
  c.subscribe('news');
  c.connect();
  await until(() => errors.includes('heartbeat_timeout'), { message: () => `a heartbeat timeout; ${log.states}` });
  server.sse = 'ok';
  await until(() => c.state === 'open' && server.streams.size >= 1);
  // keep-alives alone keep a stream alive
  const before = c.stats.reconnects;
  const stream = [...server.streams].at(-1);
  for (let i = 0; i < 6; i++) {
    stream.keepAlive();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(c.stats.reconnects, before, 'no reconnect while keep-alives flow');
});

test('reconnecting reports the backoff delay, growing while attempts keep failing', async (t) => {
  const server = new FakeHerald();
  const delays = [];
  const { c } = client(server, { transport: 'longpoll', backoff: { initial: 40, max: 1000 }, random: () => 0.99 });
  t.after(() => c.close());
  c.on('state', (s) => s.state === 'reconnecting' && delays.push(s.delay));
  c.subscribe('news');
  server.poll = 'refuse';
  c.connect();
  await until(() => delays.length >= 4);
  assert.deepEqual(delays.slice(0, 4), [39, 79, 158, 316]);
});

test('publishes while disconnected are queued and sent in order on open; the queue is bounded', async (t) => {
  const server = new FakeHerald();
  server.poll = 'refuse';
  const { c } = client(server, { transport: 'longpoll', publishQueueSize: 3 });
  t.after(() => c.close());
  const got = [];
  c.subscribe('chat', (m) => got.push(m.data));
  c.connect();
  await until(() => c.state === 'reconnecting');
  const sent = ['1', '2', '3'].map((x) => c.publish('chat', x));
  await assert.rejects(c.publish('chat', '4'), { code: 'queue_full' });
  assert.equal(c.queuedPublishes, 3);
  server.poll = 'ok';
  const answers = await Promise.all(sent);
  assert.deepEqual(answers.map((a) => a.id.split('-')[1]), ['1', '2', '3']);
  await until(() => got.length === 3);
  assert.deepEqual(got, ['1', '2', '3']);
});

test("publishWhileDisconnected: 'reject' refuses at once; close() rejects whatever is still queued", async (t) => {
  const server = new FakeHerald();
  server.poll = 'refuse';
  const { c: rejecting } = client(server, { transport: 'longpoll', publishWhileDisconnected: 'reject' });
  t.after(() => rejecting.close());
  rejecting.connect();
  await assert.rejects(rejecting.publish('chat', 'x'), { code: 'disconnected' });

  const { c } = client(server, { transport: 'longpoll' });
  c.connect();
  const queued = c.publish('chat', 'y');
  c.close();
  await assert.rejects(queued, { code: 'closed' });
  await assert.rejects(c.publish('chat', 'z'), { code: 'closed' });
  assert.equal(c.state, 'closed');
});

test('publish encodes text, JSON and bytes, and passes event and ephemeral', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'longpoll' });
  t.after(() => c.close());
  c.connect();
  await until(() => c.state === 'open');
  await c.publish('p', 'text', { event: 'greet' });
  await c.publish('p', { n: 1 });
  await c.publish('p', new Uint8Array([1, 2]));
  const e = await c.publish('p', 'typing', { ephemeral: true });
  assert.equal(e.ephemeral, true);
  const posts = server.requests.filter((r) => r.method === 'POST');
  assert.deepEqual(posts.map((p) => p.headers['content-type']),
    ['text/plain; charset=utf-8', 'application/json', 'application/octet-stream', 'text/plain; charset=utf-8']);
  assert.equal(posts[0].params.get('event'), 'greet');
  assert.equal(posts[3].params.get('ephemeral'), 'true');
  await assert.rejects(c.publish('bad channel', 'x'), { code: 'invalid_channel' });
});

test('a failed HTTP publish is rejected with the server error code; a network failure says the outcome is uncertain', async (t) => {
  const server = new FakeHerald();
  let fail = null;
  const fetch = async (url, init) => {
    if (init?.method === 'POST' && fail === 'network') throw new TypeError('fetch failed');
    if (init?.method === 'POST' && fail === 'http') {
      return new Response(JSON.stringify({ error: 'payload_too_large', message: 'too big' }), { status: 413 });
    }
    return server.fetch(url, init);
  };
  const { c } = client(server, { transport: 'longpoll', fetch });
  t.after(() => c.close());
  c.connect();
  await until(() => c.state === 'open');
  fail = 'http';
  await assert.rejects(c.publish('p', 'x'), { code: 'payload_too_large', status: 413 });
  fail = 'network';
  await assert.rejects(c.publish('p', 'x'), { code: 'publish_failed', uncertain: true });
});

test('a throwing handler is reported and does not stop delivery', async (t) => {
  const server = new FakeHerald();
  const { c, log } = client(server, { transport: 'sse' });
  t.after(() => c.close());
  const got = [];
  c.subscribe('n', (m) => {
    if (m.data === '1') throw new Error('boom');
    got.push(m.data);
  });
  c.connect();
  await until(() => server.streams.size === 1 && c.state === 'open');
  server.publish('n', 1);
  server.publish('n', 2);
  await until(() => got.length === 1);
  assert.equal(log.errors[0].code, 'handler_failed');
  assert.match(log.errors[0].message, /boom/);
});

test('unsubscribe stops delivery and drops the channel from the stream', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'sse' });
  t.after(() => c.close());
  const got = [];
  const a = c.subscribe('a', (m) => got.push(`a${m.data}`));
  c.subscribe('b', (m) => got.push(`b${m.data}`));
  c.connect();
  await until(() => server.streams.size === 1 && c.state === 'open' && c.subscriptions.get('b').position);
  a.unsubscribe();
  await until(() => {
    const last = server.requests.filter((r) => r.path === '/v1/sse').at(-1);
    return last.params.getAll('channel').join() === 'b' && server.streams.size === 1;
  });
  server.publish('a', 1);
  server.publish('b', 1);
  await until(() => got.length === 1);
  assert.deepEqual(got, ['b1']);
  assert.equal(a.active, false);
});

test('argument checks name the argument and the value', () => {
  const c = new HeraldClient('http://herald.test', { fetch: async () => { throw new Error('unused'); } });
  assert.throws(() => c.subscribe('a b'), /invalid channel name "a b"/);
  assert.throws(() => c.subscribe('a', () => {}, { since: 'yesterday' }), /since must be/);
  c.subscribe('a');
  assert.throws(() => c.subscribe('a'), { code: 'already_subscribed' });
  assert.throws(() => new HeraldClient('ftp://x'), /must be http/);
  assert.throws(() => new HeraldClient('http://x', { pollLimit: 0 }), /pollLimit must be 1-1000: 0/);
  assert.throws(() => new HeraldClient('http://x', { transport: 'carrier-pigeon', fetch() {} }).connect(), /unknown transport 'carrier-pigeon'/);
});

test('the base URL keeps a path prefix', async (t) => {
  const seen = [];
  const server = new FakeHerald();
  const fetch = (url, init) => {
    seen.push(new URL(url).pathname);
    return server.fetch(String(url).replace('/herald/', '/'), init);
  };
  const c = new HeraldClient('http://proxy.test/herald', { fetch, transport: 'longpoll', ...FAST });
  t.after(() => c.close());
  c.subscribe('n');
  c.connect();
  await until(() => c.state === 'open' && seen.length >= 2);
  assert.ok(seen.every((p) => p.startsWith('/herald/v1/')), seen.join());
});

test('websocket: publishes go over the socket and resolve with the ack; one in flight when it drops is rejected as uncertain', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'websocket' });
  t.after(() => c.close());
  const got = [];
  c.subscribe('room', (m) => got.push([m.data, m.event]));
  c.connect();
  await until(() => c.state === 'open' && server.sockets.size === 1);
  const ack = await c.publish('room', 'hello', { event: 'chat' });
  assert.match(ack.id, /-1$/);
  assert.deepEqual(await c.publish('room', { x: 1 }, { ephemeral: true }), { channel: 'room', ephemeral: true });
  await c.publish('room', new Uint8Array([7, 8]));
  const [socket] = server.sockets;
  assert.deepEqual(socket.sent.filter((f) => f.type === 'publish').map((f) => f.data ?? f.binary), ['hello', { x: 1 }, [7, 8]]);
  assert.ok(server.requests.every((r) => r.method !== 'POST'), 'nothing went over HTTP');
  await until(() => got.length === 3);
  assert.deepEqual(got[0], ['hello', 'chat']);

  server.ws = 'mute'; // the next publish gets no ack...
  const inFlight = c.publish('room', 'lost?');
  await until(() => socket.sent.some((f) => f.data === 'lost?'));
  socket.drop(1006); // ...and the socket dies under it
  await assert.rejects(inFlight, { code: 'publish_failed', uncertain: true });
});

test('websocket: presence keeps the member list from sync, join and leave', async (t) => {
  const server = new FakeHerald();
  const { c: alice } = client(server, { transport: 'websocket', clientId: 'alice' });
  const { c: bob } = client(server, { transport: 'websocket', clientId: 'bob' });
  t.after(() => { alice.close(); bob.close(); });
  const events = [];
  const room = alice.subscribe('room', { presence: true });
  room.on('presence', (p) => events.push(`${p.action}:${p.members.map((m) => m.client).join('+')}`));
  alice.connect();
  await until(() => room.members.size === 1);
  bob.subscribe('room', { presence: true });
  bob.connect();
  await until(() => room.members.size === 2);
  bob.close();
  await until(() => room.members.size === 1);
  assert.deepEqual(events, ['sync:alice', 'join:alice+bob', 'leave:alice']);
  const subscribe = [...server.sockets][0].sent.find((f) => f.type === 'subscribe');
  assert.equal(subscribe.presence, true);
  assert.match([...server.sockets][0].url, /\/v1\/ws\?client=alice$/);
});

test('websocket: resubscribes after a drop with after = the last id, so the replay has no gap', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'websocket' });
  t.after(() => c.close());
  const got = [];
  c.subscribe('news', (m) => got.push(m.data));
  c.connect();
  await until(() => c.state === 'open' && c.subscriptions.get('news').position);
  const first = server.publish('news', 'a');
  await until(() => got.length === 1);
  server.dropAll();
  server.publish('news', 'b');
  await until(() => got.length === 2);
  const subscribes = [...server.sockets][0].sent.filter((f) => f.type === 'subscribe');
  assert.equal(subscribes[0].after, first);
  assert.deepEqual(got, ['a', 'b']);
});

test('websocket: a silent connection is pinged, then declared dead', async (t) => {
  const server = new FakeHerald();
  const { c } = client(server, { transport: 'websocket', heartbeatTimeout: 300 });
  t.after(() => c.close());
  const errors = [];
  c.on('state', (s) => s.error && errors.push(s.error.code));
  c.subscribe('news');
  c.connect();
  await until(() => c.state === 'open');
  const [socket] = server.sockets;
  server.ws = 'mute';
  await until(() => errors.includes('heartbeat_timeout'), { message: 'a heartbeat timeout' });
  assert.ok(socket.sent.some((f) => f.type === 'ping'), 'it pinged before giving up');
  server.ws = 'ok';
  await until(() => c.state === 'open');
});

test('auto with publish: true prefers WebSocket; when it is refused, SSE takes over and publishes go over HTTP', async (t) => {
  const server = new FakeHerald();
  server.ws = 'refuse';
  const { c, log } = client(server, { publish: true, upgradeInterval: 60_000 });
  t.after(() => c.close());
  c.subscribe('news');
  c.connect();
  await until(() => c.state === 'open');
  assert.equal(c.transport, 'sse');
  assert.deepEqual(log.transports, ['null->sse:fallback']);
  assert.deepEqual(log.states.slice(0, 4), ['connecting:websocket', 'reconnecting:websocket', 'connecting:sse', 'open:sse']);
  await c.publish('news', 'over http');
  assert.ok(server.requests.some((r) => r.method === 'POST'));
});

test('auto: the first publish on an SSE client makes it try WebSocket, and it switches when that opens', async (t) => {
  const server = new FakeHerald();
  const { c, log } = client(server);
  t.after(() => c.close());
  const got = [];
  c.subscribe('news', (m) => got.push(m.data));
  c.connect();
  await until(() => c.state === 'open' && c.transport === 'sse' && server.streams.size === 1);
  await c.publish('news', '1');
  await until(() => c.transport === 'websocket', { message: () => `${log.transports}` });
  await c.publish('news', '2');
  await until(() => got.length === 2);
  assert.deepEqual(got, ['1', '2']);
  assert.deepEqual(log.transports, ['null->sse:initial', 'sse->websocket:upgrade']);
  await until(() => server.streams.size === 0, { message: 'the SSE stream closed after the switch' });
});
