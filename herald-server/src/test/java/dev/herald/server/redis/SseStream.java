package dev.herald.server.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A Server-Sent Events client that behaves like {@code EventSource} where it matters: it parses {@code id:},
 * {@code event:} and {@code data:} lines, dispatches an event at each blank line that follows data, and remembers the
 * last id it saw (also from an id-only block, such as Herald's preamble) to resume with. One stream per instance;
 * {@link #next} waits with a deadline. Thread-safe for one consumer.
 */
final class SseStream implements AutoCloseable {

    /** One dispatched event; {@code END} marks the end of the stream (EOF or a broken connection). */
    record Event(@Nullable String id, String type, String data) {
        static final Event END = new Event(null, "<end>", "");

        boolean isEnd() {
            return this == END;
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final int status;
    private final @Nullable InputStream body;
    private final String errorBody;
    private volatile @Nullable String lastEventId;

    private SseStream(HttpResponse<InputStream> response, String name) throws IOException {
        this.status = response.statusCode();
        if (status != 200) {
            this.errorBody = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            this.body = null;
            events.add(Event.END);
            return;
        }
        this.errorBody = "";
        this.body = response.body();
        Thread reader = new Thread(this::read, name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens {@code url}, resuming from {@code lastEventId} when it is not {@code null} (sent as {@code Last-Event-ID},
     * as EventSource does on a reconnect). Returns once the response headers arrived.
     */
    static SseStream open(URI url, @Nullable String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> response = CLIENT.sendAsync(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
            SseStream stream = new SseStream(response, "sse-" + url.getPort());
            if (lastEventId != null) {
                stream.lastEventId = lastEventId;
            }
            return stream;
        } catch (ExecutionException | TimeoutException | IOException e) {
            throw new IllegalStateException("cannot open " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int status() {
        return status;
    }

    String errorBody() {
        return errorBody;
    }

    /** The id to resume from, as {@code EventSource.lastEventId} would hold it. */
    @Nullable String lastEventId() {
        return lastEventId;
    }

    /** Waits for the preamble (Herald's {@code retry:}/{@code id:} block): the subscription is live from then on. */
    SseStream awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("SSE stream not ready within " + timeout + " (status " + status + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next event, or {@link Event#END}; fails when none comes within {@code timeout}. */
    Event next(Duration timeout) {
        try {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no SSE event within " + timeout);
            }
            if (event.isEnd()) {
                events.add(Event.END);   // stays ended
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void read() {
        String id = null;
        String type = null;
        StringBuilder data = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (id != null) {
                        lastEventId = id;
                    }
                    if (data != null) {
                        events.add(new Event(id, type == null ? "message" : type, data.toString()));
                    } else {
                        ready.complete(null);
                    }
                    id = null;
                    type = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> type = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { }
                }
            }
        } catch (IOException e) {
            // the connection broke: the same as an end, for a client that reconnects
        } finally {
            ready.complete(null);
            events.add(Event.END);
        }
    }

    @Override
    public void close() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // closing a broken stream
            }
        }
    }
}
