package dev.herald.server.http;

import dev.herald.core.ChannelId;
import dev.herald.core.HeraldNode;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.MalformedCursorException;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.server.internal.Json;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/channels/{channel}/messages} publishes; {@code GET} on the same path reads history at once (short
 * polling). Both answer JSON.
 */
public final class ChannelsEndpoint {

    /** Default and largest {@code limit} of a history read. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private static final Logger log = LoggerFactory.getLogger(ChannelsEndpoint.class);

    private final HeraldNode node;

    public ChannelsEndpoint(HeraldNode node) {
        this.node = node;
    }

    public void publish(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive, ChannelId channel,
                        RequestTarget query) {
        String event = query.parameter("event");
        String eventProblem = PublishOptions.eventProblem(event);
        if (eventProblem != null) {
            throw HttpProblem.badRequest("invalid_event", eventProblem);
        }
        boolean ephemeral = query.booleanParameter("ephemeral");
        Payload payload = payload(request);
        node.publish(channel, payload, new PublishOptions(event, ephemeral)).whenComplete((position, failure) -> {
            if (failure != null) {
                HttpResponses.error(ctx, keepAlive, problem(failure));
                return;
            }
            HttpResponses.json(ctx, keepAlive, HttpResponseStatus.OK, Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("channel", channel.value());
                if (ephemeral) {
                    g.writeBooleanField("ephemeral", true);
                } else {
                    g.writeStringField("id", position.toString());
                }
                g.writeEndObject();
            }));
        });
    }

    public void history(ChannelHandlerContext ctx, boolean keepAlive, ChannelId channel, RequestTarget query) {
        int limit = query.intParameter("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        StreamPosition since = position(query.parameter("after"));
        node.history(channel, since, limit).whenComplete((page, failure) -> {
            if (failure != null) {
                HttpResponses.error(ctx, keepAlive, problem(failure));
                return;
            }
            List<Reset> resets = page.gap() == null ? List.of()
                    : List.of(new Reset(channel, page.gap(), page.resetPosition()));
            HttpResponses.json(ctx, keepAlive, HttpResponseStatus.OK,
                    Json.page(ctx.alloc(), page.messages(), resets, page.next(since).toString(), page.more()));
        });
    }

    private static @Nullable StreamPosition position(@Nullable String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return StreamPosition.parse(text);
        } catch (MalformedCursorException e) {
            throw HttpProblem.badRequest("invalid_cursor", e.getMessage());
        }
    }

    /**
     * The body as a payload: {@code application/json} must hold one JSON value; {@code application/octet-stream}
     * is binary; anything else (or no type) must be UTF-8 text. Empty bodies are refused, because an SSE event with
     * no data is never dispatched by {@code EventSource}.
     */
    private static Payload payload(FullHttpRequest request) {
        byte[] body = ByteBufUtil.getBytes(request.content());
        if (body.length == 0) {
            throw HttpProblem.badRequest("empty_body", "the message body must not be empty");
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/octet-stream")) {
            return Payload.binary(body);
        }
        Payload.Kind kind = Payload.Kind.TEXT;
        if (mediaType.equals("application/json") || mediaType.endsWith("+json")) {
            String problem = Json.problem(body);
            if (problem != null) {
                throw HttpProblem.badRequest("invalid_json", problem);
            }
            kind = Payload.Kind.JSON;
        }
        try {
            return Payload.utf8(kind, body);
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest("invalid_utf8", "the message body is not valid UTF-8; send binary as "
                    + "application/octet-stream");
        }
    }

    /** Maps a failed operation to the response it deserves. */
    public static HttpProblem problem(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof HttpProblem problem) {
            return problem;
        }
        if (cause instanceof HeraldUnavailableException) {
            return new HttpProblem(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", cause.getMessage());
        }
        log.error("request failed", cause);
        return new HttpProblem(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "the server failed to handle the request");
    }
}
