package dev.herald.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a free loopback port, for integration tests (no Docker here). Starts in
 * its own temporary directory, is ready when it logs that it accepts connections, and can be stopped and started
 * again on the same port — with its data when {@link Builder#persistent()} (append-only file, fsync per write), or
 * empty. {@link #close()} stops it and deletes the directory. Not thread-safe: one test drives it.
 */
public final class RedisServer implements AutoCloseable {

    /** How long starting or stopping may take before the test fails. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final @Nullable String password;
    private final boolean persistent;
    private final boolean tls;
    private @Nullable Process process;
    private final List<String> log = new ArrayList<>();

    private RedisServer(Builder builder) throws IOException {
        this.dir = Files.createTempDirectory("herald-redis-");
        this.port = freePort();
        this.password = builder.password;
        this.persistent = builder.persistent;
        this.tls = builder.tls;
        if (tls) {
            writeCertificate();
        }
    }

    /** An empty, non-persistent server without a password, started. */
    public static RedisServer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return port;
    }

    /** {@code redis://[:password@]127.0.0.1:PORT}, or {@code rediss://…} when the server speaks only TLS. */
    public String uri() {
        return (tls ? "rediss" : "redis") + "://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:"
                + port;
    }

    /** With {@link Builder#tls()}: the PEM file of the server's self-signed certificate, to trust it. */
    public Path certificate() {
        return dir.resolve("tls").resolve("cert.pem");
    }

    /**
     * A self-signed certificate for 127.0.0.1, made with the JDK's keytool (no openssl needed) and written as the PEM
     * files redis-server reads.
     */
    private void writeCertificate() throws IOException {
        Path tlsDir = Files.createDirectories(dir.resolve("tls"));
        Path store = tlsDir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        try {
            java.security.KeyStore keyStore = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(store)) {
                keyStore.load(in, "changeit".toCharArray());
            }
            java.util.Base64.Encoder pem = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            byte[] key = keyStore.getKey("redis", "changeit".toCharArray()).getEncoded();   // PKCS#8
            byte[] cert = keyStore.getCertificate("redis").getEncoded();
            Files.writeString(tlsDir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                    + pem.encodeToString(key) + "\n-----END PRIVATE KEY-----\n");
            Files.writeString(certificate(), "-----BEGIN CERTIFICATE-----\n"
                    + pem.encodeToString(cert) + "\n-----END CERTIFICATE-----\n");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot export the test certificate", e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Starts the process (again, after {@link #stop()} or {@link #kill()}) and waits until it accepts connections. */
    public synchronized RedisServer startProcess() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server is already running on port " + port);
        }
        List<String> command = new ArrayList<>(List.of("redis-server",
                "--port", Integer.toString(tls ? 0 : port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--logfile", "", "--daemonize", "no", "--protected-mode", "yes"));
        if (persistent) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        if (tls) {
            Path tlsDir = dir.resolve("tls");
            command.addAll(List.of("--tls-port", Integer.toString(port),
                    "--tls-cert-file", tlsDir.resolve("cert.pem").toString(),
                    "--tls-key-file", tlsDir.resolve("key.pem").toString(),
                    "--tls-ca-cert-file", tlsDir.resolve("cert.pem").toString(),
                    "--tls-auth-clients", "no"));
        }
        try {
            Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
            process = started;
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> readLog(started, ready), "redis-" + port + "-log");
            reader.setDaemon(true);
            reader.start();
            started.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException(
                    "redis-server on port " + port + " exited with " + started.exitValue() + ": " + logTail())));
            ready.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-server (./scripts/test installs it)", e);
        } catch (ExecutionException | TimeoutException e) {
            kill();
            throw new IllegalStateException("redis-server did not become ready: " + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void readLog(Process started, CompletableFuture<Void> ready) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (log) {
                    log.add(line);
                    if (log.size() > 200) {
                        log.remove(0);
                    }
                }
                if (line.contains("Ready to accept connections")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    /** Stops the server the way an operator does (SIGTERM: a clean shutdown) and waits until it has exited. */
    public synchronized void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        running.destroy();
        awaitExit(running);
        process = null;
    }

    /** Kills the server (SIGKILL), as a crash would, and waits until it is gone. */
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        running.destroyForcibly();
        awaitExit(running);
        process = null;
    }

    private void awaitExit(Process running) {
        try {
            if (!running.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                running.destroyForcibly();
                throw new IllegalStateException("redis-server on port " + port + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the stopped server's data, so the next {@link #startProcess()} starts empty (as after a disk loss). */
    public synchronized void wipe() {
        if (running()) {
            throw new IllegalStateException("stop redis-server before wiping its data");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(dir))
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Runs {@code redis-cli} against this server with {@code args}; returns its output, trimmed. */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        if (tls) {
            command.addAll(List.of("--tls", "--cacert", certificate().toString()));
        }
        if (password != null) {
            command.addAll(List.of("--no-auth-warning", "-a", password));
        }
        command.addAll(List.of(args));
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!cli.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || cli.exitValue() != 0) {
                throw new IllegalStateException("redis-cli " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines the server logged. */
    public String logTail() {
        synchronized (log) {
            return String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size()));
        }
    }

    @Override
    public synchronized void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is not worth failing a test for
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Options for a {@link RedisServer}. */
    public static final class Builder {
        private @Nullable String password;
        private boolean persistent;
        private boolean tls;

        private Builder() {
        }

        /** Speak only TLS, with a self-signed certificate for 127.0.0.1 ({@link RedisServer#certificate()}). */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Require this password ({@code requirepass}). */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** Keep data across {@link #stop()}/{@link #startProcess()} (append-only file, fsync on every write). */
        public Builder persistent() {
            this.persistent = true;
            return this;
        }

        public RedisServer start() {
            try {
                return new RedisServer(this).startProcess();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
