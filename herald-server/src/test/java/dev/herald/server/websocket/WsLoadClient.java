package dev.herald.server.websocket;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child process for {@link WebSocketManyConnectionsIT}: opens {@code count} JDK WebSockets to
 * {@code ws://127.0.0.1:port/v1/ws}, subscribes each to {@code channel}, and reports on stdout:
 * {@code subscribed <count>} once every subscription is acknowledged, then {@code received <count>} once every
 * connection has received a message whose data is {@code expected}. Exits when stdin closes. A process holds at
 * most as many sockets as it is told to open, which keeps each one far below the per-process file limit.
 *
 * <p>Usage: {@code WsLoadClient <port> <channel> <count> <expected-data>}
 */
public final class WsLoadClient {

    private WsLoadClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String channel = args[1];
        int count = Integer.parseInt(args[2]);
        String expected = args[3];
        ExecutorService executor = Executors.newFixedThreadPool(2);
        HttpClient http = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(30)).build();
        URI uri = URI.create("ws://127.0.0.1:" + port + "/v1/ws");
        String subscribe = "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"ref\":\"s\"}";
        String wanted = "\"data\":\"" + expected + "\"";

        AtomicInteger subscribed = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Void> allSubscribed = new CompletableFuture<>();
        CompletableFuture<Void> allReceived = new CompletableFuture<>();
        Semaphore inFlight = new Semaphore(200);   // handshakes at once: enough to be quick, few enough for backlogs
        List<CompletableFuture<WebSocket>> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            WebSocket.Listener listener = new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();
                private boolean acked;
                private boolean got;

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        String frame = text.toString();
                        text.setLength(0);
                        if (!acked && frame.startsWith("{\"type\":\"ack\"")) {
                            acked = true;
                            inFlight.release();
                            if (subscribed.incrementAndGet() == count) {
                                allSubscribed.complete(null);
                            }
                        } else if (frame.startsWith("{\"type\":\"connected\"")) {
                            webSocket.sendText(subscribe, true);
                        } else if (!got && frame.startsWith("{\"type\":\"message\"") && frame.contains(wanted)) {
                            got = true;
                            if (received.incrementAndGet() == count) {
                                allReceived.complete(null);
                            }
                        }
                    }
                    webSocket.request(1);
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    allSubscribed.completeExceptionally(error);
                    allReceived.completeExceptionally(error);
                }
            };
            sockets.add(http.newWebSocketBuilder().buildAsync(uri, listener).whenComplete((ws, failure) -> {
                if (failure != null) {
                    allSubscribed.completeExceptionally(failure);
                    allReceived.completeExceptionally(failure);
                }
            }));
        }
        allSubscribed.get(60, TimeUnit.SECONDS);
        System.out.println("subscribed " + subscribed.get());
        System.out.flush();
        allReceived.get(60, TimeUnit.SECONDS);
        System.out.println("received " + received.get());
        System.out.flush();

        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (stdin.readLine() != null) {
            // wait for the parent to close our stdin
        }
        for (CompletableFuture<WebSocket> socket : sockets) {
            socket.join().abort();
        }
        executor.shutdownNow();
        System.exit(0);
    }
}
