package dev.herald.server.testing;

/**
 * One event as an {@code EventSource} dispatches it (WHATWG HTML, "Server-sent events", dispatch steps).
 *
 * @param type        the {@code event:} field, or {@code message} when the event had none
 * @param data        the {@code data:} lines joined with LF
 * @param lastEventId the event source's last event ID string when the event was dispatched
 */
public record SseEvent(String type, String data, String lastEventId) {
}
