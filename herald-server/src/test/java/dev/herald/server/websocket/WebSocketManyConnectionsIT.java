package dev.herald.server.websocket;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 concurrent WebSockets subscribed to one channel all receive one broadcast. The clients live in two child
 * processes of 5,000 JDK WebSockets each, so that no process holds more than ~10,000 files (the limit is 20,000):
 * the server's 10,000 sockets are in this JVM, each child holds its own.
 */
class WebSocketManyConnectionsIT {

    private static final int PROCESSES = 2;
    private static final int PER_PROCESS = 5_000;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void tenThousandConnectionsOnOneChannelAllReceiveABroadcast() throws Exception {
        List<Process> children = new ArrayList<>();
        try (WsHarness herald = WsHarness.start(config -> config
                .ioThreads(2).wsPingInterval(Duration.ofMinutes(5)).shutdownGrace(Duration.ofSeconds(2)))) {
            String payload = "broadcast-" + System.nanoTime();
            List<CompletableFuture<String>> subscribed = new ArrayList<>();
            List<CompletableFuture<String>> received = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                Process child = new ProcessBuilder(javaBinary(), "-Xmx384m", "-XX:+UseSerialGC", "-cp", classPath(),
                        WsLoadClient.class.getName(), Integer.toString(herald.port()), "crowd",
                        Integer.toString(PER_PROCESS), payload)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                children.add(child);
                CompletableFuture<String> s = new CompletableFuture<>();
                CompletableFuture<String> r = new CompletableFuture<>();
                subscribed.add(s);
                received.add(r);
                Thread.ofPlatform().daemon().start(() -> readLines(child, s, r));
            }
            long started = System.nanoTime();
            for (CompletableFuture<String> s : subscribed) {
                assertThat(s.get(90, TimeUnit.SECONDS)).isEqualTo("subscribed " + PER_PROCESS);
            }
            long connected = System.nanoTime();
            assertThat(herald.server().node().subscriptionCount()).isEqualTo(PROCESSES * PER_PROCESS);

            herald.publish("crowd", payload);
            for (CompletableFuture<String> r : received) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo("received " + PER_PROCESS);
            }
            // Not asserted (timings depend on the machine); printed so a slowdown shows in the test log.
            System.err.printf("%d connections subscribed in %d ms, broadcast received by all in %d ms; stats %s%n",
                    PROCESSES * PER_PROCESS, (connected - started) / 1_000_000,
                    (System.nanoTime() - connected) / 1_000_000, herald.get("/v1/stats").body());
            for (Process child : children) {
                System.err.println("client process CPU: " + child.info().totalCpuDuration().orElse(null));
            }
        } finally {
            for (Process child : children) {
                child.getOutputStream().close();
            }
            for (Process child : children) {
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    private static void readLines(Process child, CompletableFuture<String> subscribed,
                                  CompletableFuture<String> received) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("subscribed")) {
                    subscribed.complete(line);
                } else if (line.startsWith("received")) {
                    received.complete(line);
                }
            }
            AssertionError ended = new AssertionError("client process ended (exit " + child.waitFor() + ")");
            subscribed.completeExceptionally(ended);
            received.completeExceptionally(ended);
        } catch (IOException | InterruptedException e) {
            subscribed.completeExceptionally(e);
            received.completeExceptionally(e);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Where the client's class was loaded from: it needs nothing but the JDK. */
    private static String classPath() throws Exception {
        return new File(WsLoadClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }
}
