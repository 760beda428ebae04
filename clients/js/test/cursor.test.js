import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelCursor, joinCursor, parseId, splitCursor } from '../src/internal/cursor.js';

test('parseId splits epoch and offset at the last dash, offsets as BigInt', () => {
  assert.deepEqual(parseId('lz514pry85-42'), { epoch: 'lz514pry85', offset: 42n });
  assert.deepEqual(parseId('a-9223372036854775807'), { epoch: 'a', offset: 9223372036854775807n });
  for (const bad of ['', 'abc', '-1', 'ABC-1', 'a-', 'a-1x', 'a-1,b-2', null, 42]) assert.equal(parseId(bad), null, String(bad));
});

test('composite cursors join and split in request order', () => {
  assert.equal(joinCursor(['a-1', 'b-7']), 'a-1,b-7');
  assert.deepEqual(splitCursor('a-1,b-7'), ['a-1', 'b-7']);
  assert.deepEqual(splitCursor(''), []);
});

test('accept delivers new offsets and drops replays at or before the cursor', () => {
  const c = new ChannelCursor('e-5');
  assert.equal(c.accept('e-4'), 'duplicate');
  assert.equal(c.accept('e-5'), 'duplicate');
  assert.equal(c.accept('e-6'), 'deliver');
  assert.equal(c.accept('e-6'), 'duplicate');
  assert.equal(c.accept('e-7'), 'deliver');
  assert.equal(c.id, 'e-7');
});

test('offsets beyond 2^53 are compared exactly', () => {
  const c = new ChannelCursor('e-9007199254740993');
  assert.equal(c.accept('e-9007199254740993'), 'duplicate');
  assert.equal(c.accept('e-9007199254740994'), 'deliver');
  assert.equal(c.id, 'e-9007199254740994');
});

test('an unknown cursor takes the first message as its start', () => {
  const c = new ChannelCursor();
  assert.equal(c.known, false);
  assert.equal(c.id, null);
  assert.equal(c.accept('e-3'), 'deliver');
  assert.equal(c.id, 'e-3');
});

test('a message of another epoch without a reset is delivered and flagged', () => {
  const c = new ChannelCursor('old-10');
  assert.equal(c.accept('new-1'), 'epoch');
  assert.equal(c.accept('new-1'), 'duplicate');
  assert.equal(c.accept('new-2'), 'deliver');
});

test('a reset to a new epoch is announced and moves the cursor', () => {
  const c = new ChannelCursor('old-10');
  assert.equal(c.reset('new-0', 'stream_restarted'), true);
  assert.equal(c.id, 'new-0');
  assert.equal(c.accept('new-1'), 'deliver');
});

test('a reset that skips ahead in the same epoch (history trimmed) is announced', () => {
  const c = new ChannelCursor('e-10');
  assert.equal(c.reset('e-50', 'history_trimmed'), true);
  assert.equal(c.accept('e-50'), 'duplicate');
  assert.equal(c.accept('e-51'), 'deliver');
});

test('a stale reset, answering an older cursor this client already carried past, is ignored', () => {
  // One transport already got the reset and messages 1..5 of the new epoch; a second, opened with the old cursor,
  // gets the same reset again. Nothing was lost, so the application must not hear of it twice.
  const c = new ChannelCursor('old-10');
  assert.equal(c.reset('new-0', 'stream_restarted'), true);
  for (let i = 1; i <= 5; i++) assert.equal(c.accept(`new-${i}`), 'deliver');
  assert.equal(c.reset('new-0', 'stream_restarted'), false);
  assert.equal(c.id, 'new-5');
  assert.equal(c.accept('new-3'), 'duplicate');
});

test('cursor_ahead moves the cursor back even in the same epoch', () => {
  const c = new ChannelCursor('e-10');
  assert.equal(c.reset('e-4', 'cursor_ahead'), true);
  assert.equal(c.accept('e-5'), 'deliver');
});

test('rejects a malformed starting id', () => {
  assert.throws(() => new ChannelCursor('nope'), /not a message id/);
  assert.equal(new ChannelCursor('e-1').accept('garbage'), 'invalid');
});
