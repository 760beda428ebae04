package dev.herald.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Plain HTTP calls to a Herald node: publish, short poll and long poll, answers parsed from JSON. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    /** An answer: status and JSON body. */
    record Answer(int status, JsonNode body) {
        String text(String field) {
            return body.path(field).asText();
        }
    }

    /** One message of a poll or history answer. */
    record Polled(@Nullable String id, String data) {
    }

    /** A poll or history answer. */
    record Page(int status, List<Polled> messages, List<JsonNode> resets, String cursor, JsonNode body) {
    }

    static Answer publish(URI node, String channel, String text) {
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/channels/" + channel + "/messages"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(text)).build();
        HttpResponse<String> response = send(request);
        return new Answer(response.statusCode(), parse(response.body()));
    }

    /** Publishes and insists on 200; returns the message id. */
    static String publishOk(URI node, String channel, String text) {
        Answer answer = publish(node, channel, text);
        if (answer.status() != 200) {
            throw new AssertionError("publish to " + node + " answered " + answer.status() + ": " + answer.body());
        }
        return answer.text("id");
    }

    static Page history(URI node, String channel, @Nullable String after) {
        return page(node.resolve("/v1/channels/" + channel + "/messages?limit=1000"
                + (after == null ? "" : "&after=" + encode(after))), Duration.ofSeconds(20));
    }

    static Page longPoll(URI node, String channel, @Nullable String after, int timeoutSeconds) {
        return page(node.resolve("/v1/poll?channel=" + channel + "&timeout=" + timeoutSeconds
                + (after == null ? "" : "&after=" + encode(after))), Duration.ofSeconds(timeoutSeconds + 20));
    }

    /** The node's {@code /v1/stats}. */
    static JsonNode stats(URI node) {
        return parse(send(HttpRequest.newBuilder(node.resolve("/v1/stats")).timeout(Duration.ofSeconds(20)).GET()
                .build()).body());
    }

    static int get(URI url) {
        return send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).GET().build()).statusCode();
    }

    private static Page page(URI url, Duration timeout) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(url).timeout(timeout).GET().build());
        JsonNode body = parse(response.body());
        List<Polled> messages = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            messages.add(new Polled(message.hasNonNull("id") ? message.get("id").asText() : null,
                    message.path("data").asText()));
        }
        List<JsonNode> resets = new ArrayList<>();
        body.path("resets").forEach(resets::add);
        return new Page(response.statusCode(), messages, resets, body.path("cursor").asText(), body);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
