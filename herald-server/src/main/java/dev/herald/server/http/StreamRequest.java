package dev.herald.server.http;

import dev.herald.core.ChannelId;
import dev.herald.core.Cursor;
import dev.herald.core.MalformedCursorException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
    public static StreamRequest parse(QueryStringDecoder query, @Nullable String cursorText, int maxChannels) {
        List<String> names = query.parameters().getOrDefault("channel", List.of());
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

    /** The single value of query parameter {@code name}, or null. */
    public static @Nullable String parameter(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** An integer parameter within {@code [min, max]}, or {@code fallback} when absent. */
    public static int intParameter(Map<String, List<String>> parameters, String name, int min, int max, int fallback) {
        String text = parameter(parameters, name);
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw HttpProblem.badRequest("invalid_parameter", name + " must be an integer from " + min + " to " + max);
    }

    /** The position of {@code channel} in this request's list. */
    public int indexOf(ChannelId channel) {
        return channels.indexOf(channel);
    }
}
