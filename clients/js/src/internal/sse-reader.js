/**
 * An incremental `text/event-stream` parser (WHATWG HTML, "Server-sent events", §9.2.6 "Interpreting an event
 * stream"), fed decoded text in chunks of any size. Unlike EventSource it reports, per event, whether the event
 * had its own `id:` line — an ephemeral Herald message has none, and EventSource would hand it the previous id —
 * and it reports comments, so keep-alives (`: keep-alive`) are visible for dead-connection detection.
 *
 * Callbacks: onEvent({ type, data, id, hasId }) for each dispatched event (one with data); onId(id) for a
 * block that set an id but carried no data (Herald's preamble); onRetry(ms); onComment(text).
 */
export class SseReader {
  #buffer = '';
  #pendingCr = false;
  #first = true;
  #data = [];
  #hasData = false;
  #type = '';
  #id = undefined;

  constructor({ onEvent = () => {}, onId = () => {}, onRetry = () => {}, onComment = () => {} } = {}) {
    this.onEvent = onEvent;
    this.onId = onId;
    this.onRetry = onRetry;
    this.onComment = onComment;
  }

  /** Feeds the next piece of the stream. */
  push(text) {
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one leading BOM is skipped
    }
    let start = 0;
    const n = text.length;
    if (this.#pendingCr && n > 0) {
      this.#pendingCr = false;
      if (text[0] === '\n') start = 1; // CR LF split across two chunks is one line break
    }
    let buffer = this.#buffer;
    for (let i = start; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(buffer + text.slice(start, i));
      buffer = '';
      if (c === 13) {
        if (i + 1 < n) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.#buffer = buffer + text.slice(start);
  }

  #line(line) {
    if (line.length === 0) {
      this.#dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      this.onComment(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        break;
      case 'event':
        this.#type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.onRetry(Number(value));
        break;
      default:
        break; // unknown fields are ignored, as the spec says
    }
  }

  #dispatch() {
    const id = this.#id;
    const type = this.#type || 'message';
    const data = this.#data.join('\n');
    const hasData = this.#hasData;
    this.#id = undefined;
    this.#type = '';
    this.#data = [];
    this.#hasData = false;
    if (hasData) {
      this.onEvent({ type, data, id, hasId: id !== undefined });
    } else if (id !== undefined) {
      this.onId(id);
    }
  }
}
