// An in-memory stand-in for Herald's HTTP API (docs/protocol.md), reached through an injected `fetch`: SSE (a
// streaming body), long polling, history and publish. Enough of the contract to test the client's bookkeeping
// without sockets, plus the misbehaviours a real network adds: dropped streams, restarts with new epochs, a proxy
// that buffers streams, replays that overlap what the client already has.

let epochCounter = 0;
const newEpoch = () => `e${(++epochCounter).toString(36)}x${Math.floor(Math.random() * 1e6).toString(36)}`;

export class FakeHerald {
  constructor() {
    this.channels = new Map();
    this.streams = new Set(); // open SSE streams
    this.polls = new Set(); // held polls
    this.requests = []; // every request as { method, path, params, headers }
    this.sse = 'ok'; // 'ok' | 'refuse' (503) | 'buffer' (headers, then nothing) | 'silent' (preamble, then nothing)
    this.poll = 'ok'; // 'ok' | 'refuse'
    this.replayOverlap = 0; // replay this many messages before the cursor too (duplicates the client must drop)
    this.ws = 'ok'; // 'ok' | 'refuse' (the upgrade fails: close 1006 before open) | 'mute' (no answers, no pongs)
    this.sockets = new Set(); // open fake WebSockets
    this.presence = new Map(); // channel -> Map(connection -> { connection, client })
    this.fetch = this.fetch.bind(this);
    this.WebSocket = fakeWebSocket(this);
  }

  channel(name) {
    let c = this.channels.get(name);
    if (!c) this.channels.set(name, (c = { epoch: newEpoch(), messages: [], next: 1 }));
    return c;
  }

  /** Publishes as the server would; returns the id (undefined for ephemeral). */
  publish(name, data, { event, ephemeral = false } = {}) {
    const c = this.channel(name);
    const m = { channel: name, data: String(data), event, ephemeral, time: Date.now() };
    if (!ephemeral) {
      m.offset = c.next++;
      m.id = `${c.epoch}-${m.offset}`;
      c.messages.push(m);
    }
    for (const s of [...this.streams]) s.offer(m);
    for (const p of [...this.polls]) p.offer(m);
    for (const w of [...this.sockets]) w.offer(m);
    return m.id;
  }

  /** Forgets everything, as an in-memory server does when it restarts, and cuts every connection. */
  restart() {
    this.channels.clear();
    this.presence.clear();
    this.dropAll();
  }

  /** Cuts every open stream, held poll and WebSocket, as a network drop would. */
  dropAll() {
    const n = this.streams.size + this.polls.size + this.sockets.size;
    for (const s of [...this.streams]) s.drop();
    for (const p of [...this.polls]) p.drop();
    for (const w of [...this.sockets]) w.drop(1006);
    return n;
  }

  /** A member joined or left `channel`: tell every presence subscriber of it. */
  announce(channel, frame) {
    for (const w of this.sockets) if (w.presenceOn(channel)) w.deliver({ type: 'presence', channel, ...frame });
  }

  /** Exposed for the fake WebSocket. */
  plan(names, cursorParts) {
    return this.#plan(names, cursorParts);
  }

  /** Where each channel stands after `cursor` (array of ids or undefined), with a reset when it cannot be served. */
  #plan(names, cursorParts) {
    return names.map((name, i) => {
      const c = this.channel(name);
      const part = cursorParts?.[i];
      if (part === undefined) return { name, position: `${c.epoch}-${c.next - 1}`, replay: [], reset: null };
      const dash = part.lastIndexOf('-');
      const epoch = part.slice(0, dash);
      const offset = Number(part.slice(dash + 1));
      if (epoch !== c.epoch) {
        const position = `${c.epoch}-${(c.messages[0]?.offset ?? c.next) - 1}`;
        return { name, position, replay: [...c.messages], reset: { channel: name, reason: 'stream_restarted', position } };
      }
      // The overlap comes only with something new, as a real replay would: never a page of nothing but duplicates.
      const fresh = c.messages.some((m) => m.offset > offset);
      const from = fresh ? Math.max(0, offset - this.replayOverlap) : offset;
      return { name, position: part, replay: c.messages.filter((m) => m.offset > from) };
    });
  }

  async fetch(input, init = {}) {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const params = url.searchParams;
    this.requests.push({ method, path: url.pathname, params: new URLSearchParams(params), headers });
    await Promise.resolve();
    if (init.signal?.aborted) throw abortError();
    const match = /^\/v1\/channels\/([^/]+)\/messages$/.exec(url.pathname);
    if (match && method === 'POST') {
      const id = this.publish(decodeURIComponent(match[1]), await new Response(init.body).text(), {
        event: params.get('event') ?? undefined, ephemeral: params.get('ephemeral') === 'true',
      });
      return json(200, id ? { channel: decodeURIComponent(match[1]), id } : { channel: match[1], ephemeral: true });
    }
    if (match) return this.#history(decodeURIComponent(match[1]), params);
    if (url.pathname === '/v1/sse') return this.#sse(params, init.signal);
    if (url.pathname === '/v1/poll') return this.#poll(params, init.signal);
    return json(404, { error: 'not_found', message: url.pathname });
  }

  #history(name, params) {
    const c = this.channel(name);
    const after = params.get('after');
    const limit = Number(params.get('limit') ?? 100);
    const from = after ? Number(after.slice(after.lastIndexOf('-') + 1)) : 0;
    const all = c.messages.filter((m) => m.offset > from);
    const page = all.slice(0, limit);
    const cursor = page.length ? page[page.length - 1].id : (after ?? `${c.epoch}-${c.next - 1}`);
    return json(200, { messages: page.map(wire), resets: [], cursor, more: all.length > limit });
  }

  #sse(params, signal) {
    if (this.sse === 'refuse') return json(503, { error: 'unavailable', message: 'refused by the test' });
    const names = params.getAll('channel');
    const cursor = params.get('lastEventId');
    const plan = this.#plan(names, cursor ? cursor.split(',') : undefined);
    const positions = plan.map((p) => p.position);
    const encoder = new TextEncoder();
    const mode = this.sse;
    let controller;
    const stream = {
      offer: (m) => {
        const i = names.indexOf(m.channel);
        if (i < 0 || mode !== 'ok') return;
        let text = '';
        if (!m.ephemeral) {
          positions[i] = m.id;
          text += `id: ${positions.join(',')}\n`;
        }
        if (m.event) text += `event: ${m.event}\n`;
        text += `${m.data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`;
        controller.enqueue(encoder.encode(text));
      },
      drop: () => {
        this.streams.delete(stream);
        try { controller.error(new TypeError('network error (dropped by the test)')); } catch { /* closed */ }
      },
      end: () => {
        this.streams.delete(stream);
        try { controller.close(); } catch { /* closed */ }
      },
      keepAlive: () => controller.enqueue(encoder.encode(': keep-alive\n\n')),
    };
    const body = new ReadableStream({
      start: (c) => {
        controller = c;
        if (mode === 'buffer') return;
        c.enqueue(encoder.encode(`retry: 100\nid: ${positions.join(',')}\n\n`));
        if (mode === 'silent') return;
        plan.forEach((p, i) => {
          if (p.reset) {
            positions[i] = p.reset.position;
            c.enqueue(encoder.encode(`id: ${positions.join(',')}\nevent: reset\ndata: ${JSON.stringify(p.reset)}\n\n`));
          }
        });
        for (const p of plan) for (const m of p.replay) stream.offer(m);
      },
      cancel: () => this.streams.delete(stream),
    });
    this.streams.add(stream);
    signal?.addEventListener('abort', () => stream.drop());
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }

  #poll(params, signal) {
    if (this.poll === 'refuse') return json(503, { error: 'unavailable', message: 'refused by the test' });
    const names = params.getAll('channel');
    const after = params.get('after');
    const timeout = Number(params.get('timeout') ?? 30);
    const limit = Number(params.get('limit') ?? 100);
    const plan = this.#plan(names, after ? after.split(',') : undefined);
    const positions = plan.map((p) => p.position);
    const resets = plan.filter((p) => p.reset).map((p) => p.reset);
    const messages = plan.flatMap((p) => p.replay).slice(0, limit);
    const answer = () => {
      for (const m of messages) if (!m.ephemeral) positions[names.indexOf(m.channel)] = m.id;
      return json(200, { messages: messages.map(wire), resets, cursor: positions.join(',') });
    };
    if (messages.length || resets.length || timeout === 0) return answer();
    return new Promise((resolve, reject) => {
      const poll = {
        offer: (m) => {
          if (!names.includes(m.channel)) return;
          messages.push(m);
          finish();
        },
        drop: () => {
          this.polls.delete(poll);
          clearTimeout(timer);
          reject(new TypeError('network error (dropped by the test)'));
        },
      };
      const finish = () => {
        this.polls.delete(poll);
        clearTimeout(timer);
        queueMicrotask(() => resolve(answer()));
      };
      const timer = setTimeout(finish, timeout * 1000);
      this.polls.add(poll);
      signal?.addEventListener('abort', () => {
        this.polls.delete(poll);
        clearTimeout(timer);
        reject(abortError());
      });
    });
  }
}

let connections = 0;

/** A WebSocket class speaking Herald's WebSocket protocol (docs/protocol.md, "WebSocket") against `server`. */
function fakeWebSocket(server) {
  return class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSED = 3;

    constructor(url) {
      this.url = String(url);
      this.readyState = 0;
      this.binaryType = 'blob';
      this.sent = [];
      this.subs = new Map(); // channel -> { presence }
      this.connection = `c${++connections}`;
      this.client = new URL(this.url).searchParams.get('client') ?? this.connection;
      setTimeout(() => {
        if (this.readyState !== 0) return;
        if (server.ws === 'refuse') {
          this.readyState = 3;
          this.onclose?.({ code: 1006, reason: '' });
          return;
        }
        this.readyState = 1;
        server.sockets.add(this);
        this.onopen?.({});
        this.deliver({ type: 'connected', connection: this.connection, client: this.client, pingInterval: 15000,
          pingTimeout: 10000, maxMessageSize: 65536, maxSubscriptions: 100 });
      }, 1);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
      if (typeof data !== 'string') {
        const bytes = new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength);
        const n = (bytes[0] << 8) | bytes[1];
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(2, 2 + n)));
        const binary = [...bytes.subarray(2 + n)];
        this.sent.push({ ...header, binary });
        queueMicrotask(() => this.#command({ ...header, type: 'publish', data: btoa(String.fromCharCode(...binary)) }));
        return;
      }
      const frame = JSON.parse(data);
      this.sent.push(frame);
      if (server.ws === 'mute') return;
      queueMicrotask(() => this.#command(frame));
    }

    #command(f) {
      if (this.readyState !== 1) return;
      if (f.type === 'ping') {
        this.deliver({ type: 'pong', ref: f.ref });
      } else if (f.type === 'publish') {
        const data = typeof f.data === 'string' ? f.data : JSON.stringify(f.data);
        const id = server.publish(f.channel, data, { event: f.event, ephemeral: f.ephemeral });
        this.deliver(f.ephemeral ? { type: 'ack', ref: f.ref, channel: f.channel, ephemeral: true }
          : { type: 'ack', ref: f.ref, channel: f.channel, id });
      } else if (f.type === 'unsubscribe') {
        this.subs.delete(f.channel);
        this.#leave(f.channel);
        this.deliver({ type: 'ack', ref: f.ref, channel: f.channel });
      } else if (f.type === 'subscribe') {
        const [plan] = server.plan([f.channel], f.after ? [f.after] : undefined);
        this.subs.set(f.channel, { presence: Boolean(f.presence) });
        this.deliver({ type: 'ack', ref: f.ref, channel: f.channel, position: plan.reset?.position ?? plan.position });
        if (plan.reset) this.deliver({ type: 'reset', ...plan.reset });
        for (const m of plan.replay) this.offer(m);
        if (f.presence) {
          let members = server.presence.get(f.channel);
          if (!members) server.presence.set(f.channel, (members = new Map()));
          const member = { connection: this.connection, client: this.client };
          members.set(this.connection, member);
          this.deliver({ type: 'presence', channel: f.channel, action: 'sync', members: [...members.values()] });
          for (const w of server.sockets) {
            if (w !== this && w.presenceOn(f.channel)) w.deliver({ type: 'presence', channel: f.channel, action: 'join', member });
          }
        }
      }
    }

    presenceOn(channel) {
      return this.subs.get(channel)?.presence === true;
    }

    #leave(channel) {
      const members = server.presence.get(channel);
      if (!members?.delete(this.connection)) return;
      server.announce(channel, { action: 'leave', member: { connection: this.connection, client: this.client } });
    }

    offer(m) {
      if (!this.subs.has(m.channel)) return;
      const frame = { type: 'message', channel: m.channel };
      if (m.ephemeral) frame.ephemeral = true;
      else frame.id = m.id;
      if (m.event) frame.event = m.event;
      frame.data = m.data;
      frame.time = m.time;
      this.deliver(frame);
    }

    deliver(frame) {
      if (this.readyState !== 1 || server.ws === 'mute') return;
      this.onmessage?.({ data: JSON.stringify(frame) });
    }

    /** Server side: the connection ends (1006: dropped; 1012: server restarting). */
    drop(code = 1006) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      server.sockets.delete(this);
      for (const channel of this.subs.keys()) this.#leave(channel);
      setTimeout(() => this.onclose?.({ code, reason: '' }), 0);
    }

    close(code = 1000) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      server.sockets.delete(this);
      for (const channel of this.subs.keys()) this.#leave(channel);
      setTimeout(() => this.onclose?.({ code, reason: '' }), 0);
    }
  };
}

function wire(m) {
  const out = { channel: m.channel };
  if (m.ephemeral) out.ephemeral = true;
  else out.id = m.id;
  if (m.event) out.event = m.event;
  out.data = m.data;
  out.time = m.time;
  return out;
}

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function abortError() {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** Polls `check` until truthy (no fixed sleeps); throws after `timeoutMs`. */
export async function until(check, { timeoutMs = 3000, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof message === 'function' ? message() : message}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
