package dev.herald.core;

/**
 * The name of a channel. Immutable and safe to use as a map key.
 *
 * <p>A name is 1 to {@value #MAX_LENGTH} characters from {@code A-Z a-z 0-9 _ - . : @}. The charset keeps names
 * safe in a URL path segment and a query string without escaping, and leaves {@code ,} free as the separator of
 * composite cursors; the length bound caps the memory a client can make the server hold per name.
 */
public record ChannelId(String value) {

    /** Longest accepted channel name, in characters. */
    public static final int MAX_LENGTH = 128;

    public ChannelId {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Returns the channel named {@code value}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static ChannelId of(String value) {
        return new ChannelId(value);
    }

    /** Returns why {@code value} is not a valid channel name, or {@code null} when it is. */
    public static @org.jspecify.annotations.Nullable String problem(@org.jspecify.annotations.Nullable String value) {
        if (value == null || value.isEmpty()) {
            return "channel name must not be empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "channel name is " + value.length() + " characters; at most " + MAX_LENGTH + " are allowed";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.' || c == ':' || c == '@';
            if (!ok) {
                return "channel name has an invalid character at index " + i
                        + "; allowed are A-Z a-z 0-9 _ - . : @";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
