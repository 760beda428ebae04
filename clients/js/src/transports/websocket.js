import { ErrorCode, HeraldError } from '../codes.js';
import { BaseTransport } from './base.js';

/**
 * WebSocket transport: `GET /v1/ws`. Not available until the server's WebSocket endpoint and its frames are in
 * docs/protocol.md; until then `available` is false and the client uses SSE and long polling (publishing over
 * HTTP).
 */
export class WebSocketTransport extends BaseTransport {
  static available = false;

  open() {
    this.fail(new HeraldError(ErrorCode.UNSUPPORTED, 'the WebSocket transport is not available yet'));
  }

  update() {}
}
