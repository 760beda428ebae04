package dev.herald.server.http;

import dev.herald.core.ChannelId;
import dev.herald.core.Cursor;
import dev.herald.core.MalformedCursorException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The channels and resume cursor of an SSE stream or a long poll: {@code channel} repeated for each channel
 * (duplicates count once, order kept: the cursor lists positions in that order) and an optional cursor.
 */
public record StreamRequest(List<ChannelId> channels, @Nullable Cursor cursor) {

    /**
     * Parses the query. {@code cursorText} is the cursor from wherever the transport takes it (header or
     * parameter); empty or null means none.
     */
    public static StreamRequest parse(RequestTarget query, @Nullable String cursorText, int maxChannels) {
        List<String> names = query.parameters("channel");
        if (names.isEmpty()) {
            throw HttpProblem.badRequest("missing_channel", "name at least one channel with ?channel=NAME");
        }
        List<ChannelId> channels;
        if (names.size() == 1) {
            channels = List.of(channel(names.get(0)));
        } else {
            LinkedHashSet<ChannelId> unique = new LinkedHashSet<>();
            for (String name : names) {
                unique.add(channel(name));
            }
            if (unique.size() > maxChannels) {
                throw HttpProblem.badRequest("too_many_channels", "the request names " + unique.size()
                        + " channels; at most " + maxChannels + " are allowed");
            }
            channels = new ArrayList<>(unique);
        }
        Cursor cursor = null;
        if (cursorText != null && !cursorText.isEmpty()) {
            try {
                cursor = Cursor.parse(cursorText, channels.size());
            } catch (MalformedCursorException e) {
                throw HttpProblem.badRequest("invalid_cursor", e.getMessage());
            }
        }
        return new StreamRequest(channels, cursor);
    }

    /** Validates one channel name, answering 400 {@code invalid_channel} with the reason. */
    public static ChannelId channel(String name) {
        String problem = ChannelId.problem(name);
        if (problem != null) {
            throw HttpProblem.badRequest("invalid_channel", problem);
        }
        return new ChannelId(name);
    }

    /** The position of {@code channel} in this request's list. */
    public int indexOf(ChannelId channel) {
        return channels.indexOf(channel);
    }
}
