package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Subscribers in a worker process: the way past the per-process open-file limit. The worker is this same program
 * ({@code BenchMain worker}); it reads its {@link RunSpec} as one JSON line on stdin and speaks lines on stdout:
 * {@code CONNECTED}, then {@code P <delivered>} every few milliseconds; on {@code FINISH <json published counts>}
 * it answers {@code RESULT <json GroupResult>} and exits. The worker inherits this process's CPU affinity.
 */
final class RemoteGroup implements Group {

    private static final ObjectMapper MAPPER = Json.COMPACT;

    private final Process process;
    private final PrintWriter in;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<GroupResult> result = new CompletableFuture<>();
    private volatile long delivered;
    private volatile int connectedCount;

    RemoteGroup(RunSpec spec, int first, int count, List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchMain.class.getName());
        command.add("worker");
        command.add("--first=" + first);
        command.add("--count=" + count);
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        in.println(MAPPER.writeValueAsString(spec));
        Thread reader = new Thread(this::read, "bench-worker-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("P ")) {
                    delivered = Long.parseLong(line.substring(2).trim());
                } else if (line.startsWith("CONNECTED ")) {
                    connectedCount = Integer.parseInt(line.substring(10).trim().split(" ")[0]);
                    connected.complete(null);
                } else if (line.startsWith("RESULT ")) {
                    result.complete(MAPPER.readValue(line.substring(7), GroupResult.class));
                }
            }
        } catch (IOException e) {
            connected.completeExceptionally(e);
            result.completeExceptionally(e);
        }
        IllegalStateException gone = new IllegalStateException("worker " + process.pid() + " exited");
        connected.completeExceptionally(gone);
        result.completeExceptionally(gone);
    }

    @Override
    public CompletableFuture<Void> connect() {
        return connected;
    }

    @Override
    public int connectedCount() {
        return connectedCount;
    }

    @Override
    public long delivered() {
        return delivered;
    }

    @Override
    public GroupResult finish(long[] published) throws Exception {
        in.println("FINISH " + MAPPER.writeValueAsString(published));
        return result.get(60, TimeUnit.SECONDS);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
