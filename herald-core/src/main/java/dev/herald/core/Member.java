package dev.herald.core;

import org.jspecify.annotations.Nullable;

/**
 * One member of a channel's presence: a connection, named by the client id it gave (and later by the
 * authenticated user). Immutable.
 *
 * @param connectionId the server-assigned id of the connection, unique on this node and across restarts (random);
 *                     one connection is at most once a member of a channel
 * @param clientId     the id the client gave for itself, or the connection id when it gave none; several
 *                     connections (tabs, devices) may share one client id
 */
public record Member(String connectionId, String clientId) {

    /** Longest accepted connection or client id, in characters. */
    public static final int MAX_ID_LENGTH = 64;

    public Member {
        String problem = idProblem("connection id", connectionId);
        if (problem == null) {
            problem = idProblem("client id", clientId);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Returns why {@code value} is not an acceptable id, or {@code null} when it is: 1 to {@value #MAX_ID_LENGTH}
     * characters of {@code A-Z a-z 0-9 _ - . : @} — safe in a URL, a JSON string and a log line without escaping.
     */
    public static @Nullable String idProblem(String what, @Nullable String value) {
        if (value == null || value.isEmpty()) {
            return what + " must not be empty";
        }
        if (value.length() > MAX_ID_LENGTH) {
            return what + " is " + value.length() + " characters; at most " + MAX_ID_LENGTH + " are allowed";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ':' || c == '@';
            if (!ok) {
                return what + " has an invalid character at index " + i + "; allowed are A-Z a-z 0-9 _ - . : @";
            }
        }
        return null;
    }
}
