package dev.herald.core;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a message is published.
 *
 * @param event     the publisher's event type, handed to subscribers (SSE {@code event:}); {@code null} for none.
 *                  1 to {@value #MAX_EVENT_LENGTH} characters of {@code A-Z a-z 0-9 _ - . :}, and not one of the
 *                  names Herald uses for its own signals ({@link #RESERVED_EVENTS}).
 * @param ephemeral delivered live only: never stored, never replayed, consumes no offset (typing indicators,
 *                  cursor positions, game ticks)
 */
public record PublishOptions(@Nullable String event, boolean ephemeral) {

    public static final PublishOptions DEFAULT = new PublishOptions(null, false);

    /** Longest accepted event type. */
    public static final int MAX_EVENT_LENGTH = 64;

    /** Event types that Herald's own signals use on the SSE wire, so a publisher cannot forge them. */
    public static final Set<String> RESERVED_EVENTS = Set.of("reset", "presence");

    public PublishOptions {
        String problem = eventProblem(event);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    public static PublishOptions event(@Nullable String event) {
        return new PublishOptions(event, false);
    }

    /** Returns why {@code event} is not an acceptable event type, or {@code null} when it is. */
    public static @Nullable String eventProblem(@Nullable String event) {
        if (event == null) {
            return null;
        }
        if (event.isEmpty() || event.length() > MAX_EVENT_LENGTH) {
            return "event type must be 1-" + MAX_EVENT_LENGTH + " characters";
        }
        for (int i = 0; i < event.length(); i++) {
            char c = event.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ':';
            if (!ok) {
                return "event type has an invalid character at index " + i + "; allowed are A-Z a-z 0-9 _ - . :";
            }
        }
        if (RESERVED_EVENTS.contains(event)) {
            return "event type '" + event + "' is reserved for Herald's own signals";
        }
        return null;
    }
}
