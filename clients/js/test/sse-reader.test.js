import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseReader } from '../src/internal/sse-reader.js';

function parse(chunks) {
  const out = [];
  const r = new SseReader({
    onEvent: (e) => out.push(['event', e]),
    onId: (id) => out.push(['id', id]),
    onRetry: (ms) => out.push(['retry', ms]),
    onComment: (c) => out.push(['comment', c]),
  });
  for (const c of chunks) r.push(c);
  return out;
}

const HERALD = 'retry: 2000\nid: lz514pry85-41\n\nid: lz514pry85-42\nevent: greet\ndata: first line\ndata: second line\n\n: keep-alive\n\ndata: ephemeral\n\n';
const EXPECTED = [
  ['retry', 2000],
  ['id', 'lz514pry85-41'],
  ['event', { type: 'greet', data: 'first line\nsecond line', id: 'lz514pry85-42', hasId: true }],
  ['comment', 'keep-alive'],
  ['event', { type: 'message', data: 'ephemeral', id: undefined, hasId: false }],
];

for (const [name, eol] of [['LF', '\n'], ['CR', '\r'], ['CRLF', '\r\n']]) {
  test(`parses Herald's stream (docs/protocol.md) with ${name} line ends`, () => {
    assert.deepEqual(parse([HERALD.replaceAll('\n', eol)]), EXPECTED);
  });

  test(`parses it the same when split at every position (${name})`, () => {
    const text = HERALD.replaceAll('\n', eol);
    for (let i = 1; i < text.length; i++) {
      assert.deepEqual(parse([text.slice(0, i), text.slice(i)]), EXPECTED, `split at ${i}`);
    }
  });
}

test('parses it one character at a time', () => {
  assert.deepEqual(parse([...HERALD.replaceAll('\n', '\r\n')]), EXPECTED);
});

test('spec examples: a field without a colon, an empty data line, a space kept after the first', () => {
  assert.deepEqual(parse(['data\n\ndata:\ndata\n\ndata:  two spaces\n\n']), [
    ['event', { type: 'message', data: '', id: undefined, hasId: false }],
    ['event', { type: 'message', data: '\n', id: undefined, hasId: false }],
    ['event', { type: 'message', data: ' two spaces', id: undefined, hasId: false }],
  ]);
});

test('a leading BOM is skipped; an unterminated last event is not dispatched', () => {
  assert.deepEqual(parse(['\uFEFFdata: a\n\ndata: b\n']), [['event', { type: 'message', data: 'a', id: undefined, hasId: false }]]);
});

test('ids with NUL are ignored, unknown fields and bad retry values too', () => {
  assert.deepEqual(parse(['id: a\0b\nfoo: bar\nretry: 1x\ndata: d\n\n']), [
    ['event', { type: 'message', data: 'd', id: undefined, hasId: false }],
  ]);
});

test('composite ids and reset events pass through untouched', () => {
  assert.deepEqual(parse(['id: q0c1f8zz2a-0,b-7\nevent: reset\ndata: {"channel":"news"}\n\n']), [
    ['event', { type: 'reset', data: '{"channel":"news"}', id: 'q0c1f8zz2a-0,b-7', hasId: true }],
  ]);
});
