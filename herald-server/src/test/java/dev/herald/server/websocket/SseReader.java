package dev.herald.server.websocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A minimal {@code text/event-stream} reader on the JDK's HTTP client: enough to check what an SSE subscriber of
 * the same server receives. Collects events ({@code id}, {@code event}, joined {@code data}) in order.
 */
final class SseReader implements AutoCloseable {

    record Event(@Nullable String id, @Nullable String event, String data) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Event> events = new ArrayList<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile boolean started;

    SseReader(HttpClient http, URI uri) {
        response = http.sendAsync(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            started = true;
            String id = null;
            String event = null;
            StringBuilder data = null;
            for (String line : (Iterable<String>) r.body()::iterator) {
                if (line.isEmpty()) {
                    if (data != null) {
                        add(new Event(id, event, data.toString()));
                    }
                    event = null;
                    data = null;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(line.substring(6));
                }
            }
        });
    }

    /** Waits until the response headers have arrived, i.e. the stream is subscribed. */
    SseReader awaitOpen() {
        HttpResponse<Stream<String>> r = response.orTimeout(20, TimeUnit.SECONDS).join();
        if (r.statusCode() != 200) {
            throw new AssertionError("SSE answered " + r.statusCode());
        }
        return this;
    }

    private void add(Event event) {
        lock.lock();
        try {
            events.add(event);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for at least {@code n} events and returns the first {@code n}. */
    List<Event> await(int n) {
        long deadline = System.nanoTime() + WsClient.TIMEOUT.toNanos();
        lock.lock();
        try {
            while (events.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + n + " SSE events; got " + events);
                }
                changed.awaitNanos(left);
            }
            return List.copyOf(events.subList(0, n));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}
