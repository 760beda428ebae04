// Cursor bookkeeping, kept free of I/O so it can be tested on its own.
//
// A message id is `<epoch>-<offset>` (docs/protocol.md#channels-ids-and-cursors). Within one epoch the offset grows
// by exactly one per stored message, so "have I delivered this one already?" is one comparison: offset <= last.
// Across epochs offsets mean nothing; the server announces a new epoch with a reset before its messages.
// Offsets can have 19 digits, beyond Number's exact range, so they are compared as BigInt.

import { ID_PATTERN, ResetReason } from '../codes.js';

/** Splits an id into `{ epoch, offset }` (offset a BigInt), or returns null when it is not a valid id. */
export function parseId(id) {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) return null;
  const dash = id.lastIndexOf('-');
  return { epoch: id.slice(0, dash), offset: BigInt(id.slice(dash + 1)) };
}

/** A composite cursor: one position per channel, in request order, joined by `,`. */
export function joinCursor(ids) {
  return ids.join(',');
}

/** The per-channel positions of a composite cursor. */
export function splitCursor(cursor) {
  return typeof cursor === 'string' && cursor.length > 0 ? cursor.split(',') : [];
}

/**
 * Where one channel stands: the id of the last message handed to the application, or the position the stream
 * continues from after a reset. Decides, for every stored message, whether it is new or a duplicate (a replay after
 * a reconnect or transport switch), and, for every reset, whether the application must hear about it.
 */
export class ChannelCursor {
  #epoch = null;
  #offset = 0n;

  constructor(id = null) {
    if (id !== null && id !== undefined) this.#set(id);
  }

  /** The id to resume from, or null when nothing is known yet. */
  get id() {
    return this.#epoch === null ? null : `${this.#epoch}-${this.#offset}`;
  }

  get known() {
    return this.#epoch !== null;
  }

  get epoch() {
    return this.#epoch;
  }

  #set(id) {
    const p = parseId(id);
    if (!p) throw new TypeError(`not a message id: ${JSON.stringify(id)}`);
    this.#epoch = p.epoch;
    this.#offset = p.offset;
  }

  /** Takes the position only when none is known yet (a stream's starting cursor). */
  adoptIfUnknown(id) {
    if (this.#epoch === null && parseId(id)) this.#set(id);
  }

  /**
   * A stored message arrived. Returns
   * - `'deliver'`: new; the cursor moves to it;
   * - `'duplicate'`: at or before the cursor in the same epoch; drop it;
   * - `'epoch'`: a different epoch with no reset before it; deliver, after telling the application its history was
   *   lost (the server always sends a reset first, so this only guards against a misbehaving peer);
   * - `'invalid'`: not an id at all.
   */
  accept(id) {
    const p = parseId(id);
    if (!p) return 'invalid';
    if (this.#epoch === null) {
      this.#epoch = p.epoch;
      this.#offset = p.offset;
      return 'deliver';
    }
    if (p.epoch === this.#epoch) {
      if (p.offset <= this.#offset) return 'duplicate';
      this.#offset = p.offset;
      return 'deliver';
    }
    this.#epoch = p.epoch;
    this.#offset = p.offset;
    return 'epoch';
  }

  /**
   * The server says it could not serve the cursor and continues from `position`. Returns true when the application
   * must be told (and the cursor moved to `position`), false when the reset is stale: it answers an older cursor
   * that another connection already carried past `position` in the same epoch (two transports overlap while the
   * client switches), so nothing this client holds was lost.
   */
  reset(position, reason) {
    const p = parseId(position);
    if (!p) return false;
    if (this.#epoch !== null && p.epoch === this.#epoch && p.offset <= this.#offset
        && reason !== ResetReason.CURSOR_AHEAD) {
      return false;
    }
    this.#epoch = p.epoch;
    this.#offset = p.offset;
    return true;
  }
}
