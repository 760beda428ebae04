package dev.herald.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The pages under {@code /} (the demo pages and the JS client), read from the classpath folder {@code web/}.
 * Files are loaded on first request and kept, so the set held is bounded by what ships in the jar.
 */
public final class StaticFiles {

    /** A file ready to send. */
    public record File(String contentType, byte[] body) {
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json",
            "ts", "text/plain; charset=utf-8",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, File> cache = new ConcurrentHashMap<>();

    /** The file at {@code path} (e.g. {@code /} or {@code /chat.html}), or {@code null} when there is none. */
    public @Nullable File get(String path) {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (name.contains("..") || name.contains("//") || name.startsWith("/") || name.contains("\\")) {
            return null;
        }
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        if (type == null) {
            return null;
        }
        File cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream("web/" + name)) {
            if (in == null) {
                return null;
            }
            File file = new File(type, in.readAllBytes());
            cache.put(name, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
