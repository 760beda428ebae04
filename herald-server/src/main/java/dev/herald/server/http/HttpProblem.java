package dev.herald.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/**
 * A request Herald refuses, with the status and the machine-readable {@code error} code sent back in
 * {@code {"error":…,"message":…}}. Thrown by request parsing; turned into a response by the router.
 */
public final class HttpProblem extends RuntimeException {

    private final HttpResponseStatus status;
    private final String code;
    private final @Nullable String allow;

    public HttpProblem(HttpResponseStatus status, String code, String message) {
        this(status, code, message, null);
    }

    private HttpProblem(HttpResponseStatus status, String code, String message, @Nullable String allow) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.allow = allow;
    }

    public static HttpProblem badRequest(String code, String message) {
        return new HttpProblem(HttpResponseStatus.BAD_REQUEST, code, message);
    }

    /** 405, naming the methods the resource allows in the {@code Allow} header (RFC 9110 §15.5.6 requires it). */
    public static HttpProblem methodNotAllowed(String method, String allowed) {
        return new HttpProblem(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                method + " is not allowed here; use " + allowed, allowed);
    }

    /** The {@code Allow} header value of a 405, or {@code null}. */
    public @Nullable String allow() {
        return allow;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String code() {
        return code;
    }
}
