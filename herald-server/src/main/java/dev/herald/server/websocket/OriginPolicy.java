package dev.herald.server.websocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which web pages may open a WebSocket: a browser sends the page's {@code Origin} with the upgrade, and cookies
 * ride along whatever the origin, so a server that accepted every origin would let any site act as its visitors
 * (cross-site WebSocket hijacking). The default allows the page's own origin — the {@code Origin} whose host and
 * port equal the request's {@code Host} — plus the configured origins. A request without {@code Origin} does not
 * come from a browser page and is allowed.
 *
 * <p>An allowed origin is {@code *} (any origin, including {@code null}), {@code null} (sandboxed frames, files),
 * or {@code scheme://host[:port]} where host may start with {@code *.} for any subdomain
 * ({@code https://*.example.com} matches {@code https://a.example.com}, not {@code https://example.com}). Default
 * ports ({@code http} 80, {@code https} 443) may be left out. Immutable and thread-safe.
 */
public final class OriginPolicy {

    private final boolean any;
    private final boolean nullOrigin;
    private final List<Origin> allowed;

    private OriginPolicy(boolean any, boolean nullOrigin, List<Origin> allowed) {
        this.any = any;
        this.nullOrigin = nullOrigin;
        this.allowed = List.copyOf(allowed);
    }

    /** A policy allowing the same origin plus {@code allowedOrigins}; throws for an entry {@link #problem} rejects. */
    public static OriginPolicy of(List<String> allowedOrigins) {
        boolean any = false;
        boolean nullOrigin = false;
        List<Origin> allowed = new ArrayList<>();
        for (String entry : allowedOrigins) {
            String problem = problem(entry);
            if (problem != null) {
                throw new IllegalArgumentException("allowed origin '" + entry + "': " + problem);
            }
            String trimmed = entry.trim();
            if (trimmed.equals("*")) {
                any = true;
            } else if (trimmed.equalsIgnoreCase("null")) {
                nullOrigin = true;
            } else {
                allowed.add(Origin.parse(trimmed));
            }
        }
        return new OriginPolicy(any, nullOrigin, allowed);
    }

    /** Why {@code entry} is not an acceptable allowed-origin entry, or {@code null} when it is. */
    public static @Nullable String problem(String entry) {
        String trimmed = entry.trim();
        if (trimmed.equals("*") || trimmed.equalsIgnoreCase("null")) {
            return null;
        }
        Origin origin = Origin.parse(trimmed);
        if (origin == null) {
            return "not an origin; expected *, null or scheme://host[:port] (host may start with *.)";
        }
        return null;
    }

    /**
     * Whether a request with header {@code origin} (null when absent) and header {@code host} may open a WebSocket.
     */
    public boolean allows(@Nullable String origin, @Nullable String host) {
        if (origin == null || any) {
            return true;
        }
        String trimmed = origin.trim();
        if (trimmed.equalsIgnoreCase("null")) {
            return nullOrigin;
        }
        Origin parsed = Origin.parse(trimmed);
        if (parsed == null || parsed.host.startsWith("*.")) {
            return false;
        }
        if (host != null && parsed.sameAuthority(host)) {
            return true;
        }
        for (Origin candidate : allowed) {
            if (candidate.matches(parsed)) {
                return true;
            }
        }
        return false;
    }

    /** {@code scheme://host[:port]}, lower-cased, with the port made explicit (-1 when the scheme has no default). */
    private record Origin(String scheme, String host, int port) {

        static @Nullable Origin parse(String text) {
            String lower = text.toLowerCase(Locale.ROOT);
            int sep = lower.indexOf("://");
            if (sep <= 0 || lower.length() > 253 + 32) {
                return null;
            }
            String scheme = lower.substring(0, sep);
            for (int i = 0; i < scheme.length(); i++) {
                char c = scheme.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-'
                        || c == '.')))) {
                    return null;
                }
            }
            HostPort authority = HostPort.parse(lower.substring(sep + 3));
            if (authority == null) {
                return null;
            }
            int port = authority.port >= 0 ? authority.port : defaultPort(scheme);
            return new Origin(scheme, authority.host, port);
        }

        /** Same host and port as the {@code Host} header (whose port defaults to this origin scheme's). */
        boolean sameAuthority(String hostHeader) {
            HostPort hostPort = HostPort.parse(hostHeader.trim().toLowerCase(Locale.ROOT));
            if (hostPort == null) {
                return false;
            }
            int hostPortNumber = hostPort.port >= 0 ? hostPort.port : defaultPort(scheme);
            return host.equals(hostPort.host) && port == hostPortNumber;
        }

        /** Whether {@code origin} is this allowed entry; a {@code *.} entry matches any subdomain. */
        boolean matches(Origin origin) {
            if (!scheme.equals(origin.scheme) || port != origin.port) {
                return false;
            }
            if (host.startsWith("*.")) {
                return origin.host.endsWith(host.substring(1));
            }
            return host.equals(origin.host);
        }

        static int defaultPort(String scheme) {
            return switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }
    }

    /** {@code host[:port]}: a DNS name, IPv4 address or bracketed IPv6 literal; port -1 when absent. */
    private record HostPort(String host, int port) {

        static @Nullable HostPort parse(String text) {
            String host;
            String rest;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = text.substring(0, close + 1);
                rest = text.substring(close + 1);
            } else {
                int colon = text.indexOf(':');
                host = colon < 0 ? text : text.substring(0, colon);
                rest = colon < 0 ? "" : text.substring(colon);
            }
            if (host.isEmpty() || host.length() > 253 || !validHost(host)) {
                return null;
            }
            int port = -1;
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":") || rest.length() < 2 || rest.length() > 6) {
                    return null;
                }
                for (int i = 1; i < rest.length(); i++) {
                    if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
                        return null;
                    }
                }
                port = Integer.parseInt(rest.substring(1));
                if (port > 65535) {
                    return null;
                }
            }
            return new HostPort(host, port);
        }

        private static boolean validHost(String host) {
            if (host.startsWith("[")) {
                for (int i = 1; i < host.length() - 1; i++) {
                    char c = host.charAt(i);
                    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
                        return false;
                    }
                }
                return true;
            }
            String name = host.startsWith("*.") ? host.substring(2) : host;
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
                    return false;
                }
            }
            return true;
        }
    }
}
