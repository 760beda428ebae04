package dev.herald.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request Herald refuses, with the status and the machine-readable {@code error} code sent back in
 * {@code {"error":…,"message":…}}. Thrown by request parsing; turned into a response by the router.
 */
public final class HttpProblem extends RuntimeException {

    private final HttpResponseStatus status;
    private final String code;

    public HttpProblem(HttpResponseStatus status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static HttpProblem badRequest(String code, String message) {
        return new HttpProblem(HttpResponseStatus.BAD_REQUEST, code, message);
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String code() {
        return code;
    }
}
