package dev.herald.server.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Herald node as a separate OS process: {@code java -jar target/herald.jar serve --port 0 ARGS…}, ready when it
 * prints {@code Herald listening on http://HOST:PORT}. Its log (stderr) is kept for failure messages. Used by the
 * multi-node tests and the Redis benchmark; the jar exists once {@code package} has run.
 */
final class HeraldProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("Herald listening on (http://\\S+)");

    private final String name;
    private final Process process;
    private final URI url;
    /** The node's stderr, appended by its reader thread; guarded by itself. */
    private final List<String> log;

    private HeraldProcess(String name, Process process, URI url, List<String> log) {
        this.name = name;
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** The server jar: {@code herald.jar} beside the tests' {@code target/}, or {@code -Dherald.jar}. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("herald.jar", "target/herald.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run mvn package (or verify) first");
        }
        return jar;
    }

    /** JVM options for test nodes: small and quick to start, since several nodes share two cores with the test. */
    static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Starts a node named {@code name} (for messages) with {@code serve --port 0} plus {@code args}. */
    static HeraldProcess start(String name, String... args) {
        return start(name, TEST_JVM, args);
    }

    /** Starts a node with the given JVM options. */
    static HeraldProcess start(String name, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), "serve", "--host", "127.0.0.1", "--port", "0"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<URI> listening = new CompletableFuture<>();
        List<String> log = new ArrayList<>();
        Thread stdout = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        listening.complete(URI.create(matcher.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process died; onExit reports it
            }
        }, name + "-stdout");
        Thread stderr = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (log) {
                        log.add(line);
                        if (log.size() > 400) {
                            log.remove(0);
                        }
                    }
                }
            } catch (IOException e) {
                // the process died
            }
        }, name + "-stderr");
        stdout.setDaemon(true);
        stderr.setDaemon(true);
        stdout.start();
        stderr.start();
        process.onExit().thenRun(() -> listening.completeExceptionally(
                new IllegalStateException(name + " exited with " + process.exitValue())));
        try {
            URI url = listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new HeraldProcess(name, process, url, log);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            String tail;
            synchronized (log) {
                tail = String.join("\n", log);
            }
            throw new IllegalStateException(name + " did not start: " + e.getMessage() + "\n" + tail, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        }
    }

    String name() {
        return name;
    }

    /** {@code http://127.0.0.1:PORT}. */
    URI url() {
        return url;
    }

    URI url(String pathAndQuery) {
        return url.resolve(pathAndQuery);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: the node vanishes without a word to its clients, as in a crash. Waits until it is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** The node's last log lines, for failure messages. */
    String logTail() {
        synchronized (log) {
            return name + " log:\n" + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size()));
        }
    }

    /** SIGTERM (graceful stop), then SIGKILL if it takes longer than the grace period allows. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        awaitExit();
    }

    private void awaitExit() {
        try {
            process.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "@" + url;
    }
}
