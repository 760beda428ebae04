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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine's floor for a delivery: the CPU one small {@code write(2)} to a loopback TCP socket costs the
 * writing thread (on loopback the kernel also runs the receiver's TCP processing in the writer's context). One
 * thread writes {@code payloadBytes} to each of {@code connections} sockets in turn, as a server fans out, and
 * its own CPU time ({@code ThreadMXBean}, nanosecond precision) is divided by the writes. A second thread drains
 * the other ends with a selector.
 */
public final class Floor {

    /** The measured floor. */
    public record Result(String name, String method, int connections, int payloadBytes, long writes,
                         double cpuMicrosPerWrite, double wallMicrosPerWrite, String date) {
    }

    private Floor() {
    }

    public static Result measure(int connections, int payloadBytes, long writes) throws IOException,
            InterruptedException {
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
            long total = (long) connections * ((writes + connections - 1) / connections);
            long warm = Math.min(total / 10, 20_000L);
            long[] read = {0};
            Thread drain = new Thread(() -> {
                ByteBuffer sink = ByteBuffer.allocateDirect(1 << 16);
                try {
                    while (read[0] < (warm + total) * payloadBytes) {
                        selector.select(100);
                        for (SelectionKey key : selector.selectedKeys()) {
                            int n;
                            while ((n = ((SocketChannel) key.channel()).read(sink.clear())) > 0) {
                                read[0] += n;
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "floor-reader");
            drain.setDaemon(true);
            drain.start();
            ByteBuffer message = ByteBuffer.allocateDirect(payloadBytes);
            for (int i = 0; i < payloadBytes; i++) {
                message.put(i, (byte) ('a' + i % 26));
            }
            // Warm up the JIT and the sockets, then measure.
            write(writers, message, warm);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            write(writers, message, total);
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - t0;
            drain.interrupt();
            for (SocketChannel c : writers) {
                c.close();
            }
            for (SocketChannel c : readers) {
                c.close();
            }
            return new Result("java-nio-write", "SocketChannel.write of a direct buffer (one write(2) each)",
                    connections, payloadBytes, total, cpu / 1000.0 / total, wall / 1000.0 / total,
                    Instant.now().toString());
        }
    }

    private static void write(List<SocketChannel> writers, ByteBuffer message, long count) throws IOException {
        int n = writers.size();
        for (long i = 0; i < count; i++) {
            SocketChannel c = writers.get((int) (i % n));
            message.clear();
            while (message.hasRemaining()) {
                c.write(message);
            }
        }
    }
}
