package dev.herald.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * The machine's floor for a delivery: the CPU one small {@code write(2)} to a loopback TCP socket costs the
 * writing thread (on loopback the kernel also runs the receiver's TCP processing, and wakes the receiver, in the
 * writer's context). One thread writes {@code payloadBytes} to each of {@code connections} sockets in turn, as a
 * server fans one message out (a wave), and its own CPU time ({@code ThreadMXBean}, nanosecond precision) is
 * divided by the writes. A second thread drains the other ends with a selector.
 *
 * <p>Two things a server's delivery meets that a back-to-back loop of writes does not can be reproduced: the
 * pause between messages ({@code waveInterval}: at 10 messages a second the caches and the branch predictors
 * are cold again for every wave) and a reader on another core ({@code writerCore}, {@code readerCore}: the
 * bench's clients sleep in {@code epoll_wait} on the other core, so a write has to wake them there).
 */
public final class Floor {

    /** Where each thread runs; {@code -1} leaves it to the scheduler. */
    public record Cores(int writer, int reader) {
    }

    /** The measured floor. {@code waveIntervalMillis} is 0 for back-to-back waves. */
    public record Result(String name, String method, int connections, int payloadBytes, long writes,
                         double cpuMicrosPerWrite, double wallMicrosPerWrite, String date,
                         long waveIntervalMillis, String cores) {
    }

    private Floor() {
    }

    public static Result measure(int connections, int payloadBytes, long writes, long waveIntervalMillis,
                                 Cores cores) throws IOException, InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (ServerSocketChannel server = ServerSocketChannel.open();
             Selector selector = Selector.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), connections);
            List<SocketChannel> readers = new ArrayList<>();
            List<SocketChannel> writers = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                client.socket().setTcpNoDelay(true);
                readers.add(client);
                SocketChannel accepted = server.accept();
                accepted.socket().setTcpNoDelay(true);
                writers.add(accepted);
            }
            for (SocketChannel r : readers) {
                r.configureBlocking(false);
                r.register(selector, SelectionKey.OP_READ);
            }
            Drain drain = new Drain(selector, cores.reader());
            Thread reader = new Thread(drain, "floor-reader");
            reader.setDaemon(true);
            reader.start();
            long waves = Math.max(1, (writes + connections - 1) / connections);
            long[] cpuAndWall = new long[2];
            // A thread of its own, so that pinning it leaves the caller's thread where it was.
            FutureTask<Void> writing = new FutureTask<>(() -> {
                pin(cores.writer());
                ByteBuffer message = ByteBuffer.allocateDirect(payloadBytes);
                for (int i = 0; i < payloadBytes; i++) {
                    message.put(i, (byte) ('a' + i % 26));
                }
                // Warm up the JIT and the sockets, then measure.
                long warmWaves = Math.max(1, Math.min(waves / 10, 20_000 / connections));
                long written = waves(writers, message, warmWaves, waveIntervalMillis, drain, 0);
                long cpu0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                waves(writers, message, waves, waveIntervalMillis, drain, written);
                cpuAndWall[0] = threads.getCurrentThreadCpuTime() - cpu0;
                cpuAndWall[1] = System.nanoTime() - t0;
                return null;
            });
            Thread writer = new Thread(writing, "floor-writer");
            writer.start();
            try {
                writing.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException("the floor's writer failed", e.getCause());
            } finally {
                reader.interrupt();
            }
            long cpu = cpuAndWall[0];
            long wall = cpuAndWall[1];
            for (SocketChannel c : writers) {
                c.close();
            }
            for (SocketChannel c : readers) {
                c.close();
            }
            long total = waves * connections;
            String method = "SocketChannel.write of a direct buffer (one write(2) each), "
                    + (waveIntervalMillis > 0 ? "a wave every " + waveIntervalMillis + " ms" : "waves back to back");
            return new Result("java-nio-write", method, connections, payloadBytes, total,
                    cpu / 1000.0 / total, wall / 1000.0 / total, Instant.now().toString(), waveIntervalMillis,
                    cores.writer() < 0 ? "any" : "writer " + cores.writer() + ", reader " + cores.reader());
        }
    }

    /**
     * Writes {@code waves} waves. Paced ({@code intervalMillis > 0}), waits after each until the reader has drained
     * it (so no write finds a full socket buffer), then for the rest of the interval. Back to back, never waits: a
     * wait per wave would put a thread hand-off into every write of a one-socket floor. Returns the bytes written
     * so far.
     */
    private static long waves(List<SocketChannel> writers, ByteBuffer message, long waves, long intervalMillis,
                              Drain drain, long writtenBefore) throws IOException, InterruptedException {
        long written = writtenBefore;
        long next = System.nanoTime();
        for (long w = 0; w < waves; w++) {
            for (SocketChannel c : writers) {
                message.clear();
                while (message.hasRemaining()) {
                    written += c.write(message);
                }
            }
            if (intervalMillis > 0) {
                drain.awaitRead(written);
                next += TimeUnit.MILLISECONDS.toNanos(intervalMillis);
                long pause = next - System.nanoTime();
                if (pause > 0) {
                    TimeUnit.NANOSECONDS.sleep(pause);
                }
            }
        }
        return written;
    }

    /** Pins the calling thread to {@code core} with {@code taskset}, which takes a thread id for its pid. */
    static void pin(int core) {
        if (core < 0) {
            return;
        }
        try {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Process p = new ProcessBuilder("taskset", "-p", "-c", String.valueOf(core), tid)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("taskset could not pin thread " + tid + " to core " + core + ": "
                        + out.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot pin a thread to core " + core + " (needs Linux and taskset)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pinning a thread", e);
        }
    }

    /** The reading end: drains every ready socket and tells a waiting writer how far it has read. */
    private static final class Drain implements Runnable {
        private final Selector selector;
        private final int core;
        private long read;
        private volatile Throwable failure;

        Drain(Selector selector, int core) {
            this.selector = selector;
            this.core = core;
        }

        @Override
        public void run() {
            try {
                pin(core);
                ByteBuffer sink = ByteBuffer.allocateDirect(1 << 16);
                while (!Thread.currentThread().isInterrupted()) {
                    selector.select(100);
                    long n = 0;
                    for (SelectionKey key : selector.selectedKeys()) {
                        int r;
                        while ((r = ((SocketChannel) key.channel()).read(sink.clear())) > 0) {
                            n += r;
                        }
                    }
                    selector.selectedKeys().clear();
                    if (n > 0) {
                        synchronized (this) {
                            read += n;
                            notifyAll();
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        synchronized void awaitRead(long bytes) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read < bytes) {
                if (failure != null) {
                    throw new IllegalStateException("the floor's reader failed", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the floor's reader read " + read + " of " + bytes
                            + " bytes in 30 s");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
