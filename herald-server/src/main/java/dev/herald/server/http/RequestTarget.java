package dev.herald.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request's target (RFC 9112 §3.2.1, origin form): its path and its query parameters, split and decoded as
 * Netty's {@code QueryStringDecoder} does it — {@code &} or {@code ;} between parameters, a parameter without
 * {@code =} has the empty value, one named by nothing ({@code =x}) is skipped, {@code #} ends the query, percent
 * escapes are UTF-8, and {@code +} is a space in the query but not in the path.
 *
 * <p>Unlike that decoder it builds no map: it records where each parameter lies in the URI and decodes a value
 * only when an endpoint asks for it. A long poll reads three or four parameters, and the decoder's map, lists and
 * name strings were a third of the bytes each poll allocated (docs/benchmarks.md). Every escape is checked when
 * the target is parsed, so a bad one is the client's 400 before any endpoint runs. Bounded by the request line's
 * length limit; at most {@value #MAX_PARAMETERS} parameters are read, as the decoder did.
 */
public final class RequestTarget {

    static final int MAX_PARAMETERS = 1024;

    private final String uri;
    private final String path;
    /** Per parameter: where its name starts, where its value starts ({@code =} + 1, or the end), where it ends. */
    private final int[] bounds;
    private final int count;

    private RequestTarget(String uri, String path, int[] bounds, int count) {
        this.uri = uri;
        this.path = path;
        this.bounds = bounds;
        this.count = count;
    }

    /** Parses {@code uri}; a {@code %} not followed by two hex digits is 400 {@code malformed_request}. */
    public static RequestTarget parse(String uri) {
        int length = uri.length();
        int pathEnd = 0;
        while (pathEnd < length && uri.charAt(pathEnd) != '?' && uri.charAt(pathEnd) != '#') {
            pathEnd++;
        }
        checkEscapes(uri, 0, pathEnd);
        String path = decode(uri, 0, pathEnd, true);
        if (pathEnd == length || uri.charAt(pathEnd) == '#') {
            return new RequestTarget(uri, path, new int[0], 0);
        }
        int[] bounds = new int[3 * 4];
        int count = 0;
        int nameStart = pathEnd + 1;
        int valueStart = -1;
        int i = nameStart;
        for (; i <= length && count < MAX_PARAMETERS; i++) {
            char c = i == length ? '&' : uri.charAt(i);
            if (c == '=') {
                if (nameStart == i) {
                    nameStart = i + 1;   // "=value" names nothing: skipped, as the decoder does
                } else if (valueStart < nameStart) {
                    valueStart = i + 1;
                }
            } else if (c == '&' || c == ';' || c == '#') {
                if (nameStart < i) {
                    if (3 * count + 3 > bounds.length) {
                        bounds = Arrays.copyOf(bounds, 2 * bounds.length);
                    }
                    int end = i;
                    int value = valueStart > nameStart ? valueStart : end + 1;
                    checkEscapes(uri, nameStart, end);
                    bounds[3 * count] = nameStart;
                    bounds[3 * count + 1] = value;
                    bounds[3 * count + 2] = end;
                    count++;
                }
                if (c == '#') {
                    break;
                }
                nameStart = i + 1;
            }
        }
        return new RequestTarget(uri, path, bounds, count);
    }

    /** The decoded path. */
    public String path() {
        return path;
    }

    /** The last value of parameter {@code name}, or null when the query has none. */
    public @Nullable String parameter(String name) {
        for (int p = count - 1; p >= 0; p--) {
            if (named(p, name)) {
                return value(p);
            }
        }
        return null;
    }

    /** Every value of parameter {@code name}, in the query's order. */
    public List<String> parameters(String name) {
        List<String> values = null;
        for (int p = 0; p < count; p++) {
            if (named(p, name)) {
                if (values == null) {
                    values = new ArrayList<>(1);
                }
                values.add(value(p));
            }
        }
        return values == null ? List.of() : values;
    }

    /** An integer parameter within {@code [min, max]}, or {@code fallback} when absent or empty. */
    public int intParameter(String name, int min, int max, int fallback) {
        String text = parameter(name);
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

    /** A flag: absent, {@code false} or {@code 0} is false; present without a value, {@code true} or {@code 1} true. */
    public boolean booleanParameter(String name) {
        String value = parameter(name);
        if (value == null || value.equals("false") || value.equals("0")) {
            return false;
        }
        if (value.isEmpty() || value.equals("true") || value.equals("1")) {
            return true;
        }
        throw HttpProblem.badRequest("invalid_parameter", name + " must be true or false");
    }

    private boolean named(int p, String name) {
        int start = bounds[3 * p];
        int end = bounds[3 * p + 1] - 1;
        for (int i = start; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '%' || c == '+') {
                return decode(uri, start, end, false).equals(name);
            }
        }
        return end - start == name.length() && uri.regionMatches(start, name, 0, name.length());
    }

    private String value(int p) {
        return decode(uri, bounds[3 * p + 1], bounds[3 * p + 2], false);
    }

    private static void checkEscapes(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '%') {
                if (i + 2 >= to || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                    throw malformed();
                }
                i += 2;
            }
        }
    }

    /**
     * {@code s[from, to)} with its escapes decoded; the same string's slice when it has none. Its escapes were
     * checked by {@link #parse}.
     */
    private static String decode(String s, int from, int to, boolean isPath) {
        if (from >= to) {
            return "";
        }
        int first = from;
        while (first < to && s.charAt(first) != '%' && (isPath || s.charAt(first) != '+')) {
            first++;
        }
        if (first == to) {
            return s.substring(from, to);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                bytes.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
            } else if (c == '+' && !isPath) {
                bytes.write(' ');
            } else {
                bytes.write(c);   // the request line is read as ISO-8859-1: every char is one octet
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static HttpProblem malformed() {
        return HttpProblem.badRequest("malformed_request", "the request URI is not validly percent-encoded");
    }
}
