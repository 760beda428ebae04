package dev.herald.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Publishes over plain blocking keep-alive HTTP/1.1 connections, one thread per connection. Channels are
 * partitioned among the threads, so each channel's messages are published strictly one after another and its
 * sequence numbers follow the server's order.
 *
 * <p>Two regimes: a fixed rate per channel (a thread sleeps until each message is due; when it falls behind it
 * catches up at once and the lag is reported), or {@code max}: publish back to back while fewer than
 * {@code window} deliveries are outstanding, so delivery, not the publisher, sets the pace.
 */
public final class Publisher {

    private final ServerKind kind;
    private final String host;
    private final int port;
    private final int channels;
    private final String prefix;
    private final int payloadSize;
    private final int[] subscribersPerChannel;
    private final AtomicLongArray published;
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile long maxLagNanos;
    private volatile boolean warmingUp;

    public Publisher(ServerKind kind, String host, int port, int channels, String prefix, int payloadSize,
                     int[] subscribersPerChannel) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.channels = channels;
        this.prefix = prefix;
        this.payloadSize = payloadSize;
        this.subscribersPerChannel = subscribersPerChannel;
        this.published = new AtomicLongArray(channels);
    }

    /**
     * Runs for {@code durationNanos} and returns. {@code rate} is messages per second per channel, or
     * {@code <= 0} for as fast as delivery keeps up with at most {@code window} outstanding deliveries.
     */
    public void run(int threads, double rate, long durationNanos, long window, LongSupplier delivered)
            throws InterruptedException {
        int n = Math.max(1, Math.min(threads, channels));
        long end = System.nanoTime() + durationNanos;
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int thread = t;
            Thread th = new Thread(() -> loop(thread, n, rate, end, window, delivered), "bench-publisher-" + t);
            th.setDaemon(true);
            th.start();
            running.add(th);
        }
        for (Thread th : running) {
            th.join();
        }
    }

    /**
     * {@link #run} with every message marked as a warm-up message ({@link Payloads}): subscribers check it but
     * leave it out of the latency. The publisher's lag is counted from the end of the warm-up.
     */
    public void warmUp(int threads, double rate, long durationNanos, long window, LongSupplier delivered)
            throws InterruptedException {
        warmingUp = true;
        try {
            run(threads, rate, durationNanos, window, delivered);
        } finally {
            warmingUp = false;
            maxLagNanos = 0;
        }
    }

    private void loop(int thread, int threads, double rate, long end, long window, LongSupplier delivered) {
        int[] mine = java.util.stream.IntStream.range(0, channels).filter(c -> c % threads == thread).toArray();
        if (mine.length == 0) {
            return;
        }
        // Shuffle so that a thread's channels are not published in index order (subscribers would see a ramp).
        java.util.Random random = new java.util.Random(thread);
        for (int i = mine.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = mine[i];
            mine[i] = mine[j];
            mine[j] = tmp;
        }
        double perSecond = rate * mine.length;
        long start = System.nanoTime();
        long k = 0;
        Connection connection = null;
        try {
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    return;
                }
                if (rate > 0) {
                    long due = start + (long) (k * 1e9 / perSecond);
                    if (due > now) {
                        LockSupport.parkNanos(Math.min(due - now, end - now));
                        continue;
                    }
                    long lag = now - due;
                    if (lag > maxLagNanos) {
                        maxLagNanos = lag;
                    }
                } else if (outstanding(delivered) > window) {
                    LockSupport.parkNanos(100_000);
                    continue;
                }
                int channel = mine[(int) (k % mine.length)];
                k++;
                try {
                    if (connection == null) {
                        connection = new Connection();
                    }
                    publish(connection, channel);
                } catch (IOException e) {
                    errors.increment();
                    if (connection != null) {
                        connection.close();
                    }
                    connection = null;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private long outstanding(LongSupplier delivered) {
        long expected = 0;
        for (int c = 0; c < channels; c++) {
            expected += published.get(c) * subscribersPerChannel[c];
        }
        return expected - delivered.getAsLong();
    }

    private void publish(Connection connection, int channel) throws IOException {
        long seq = published.get(channel) + 1;
        String path = kind.publishPath(prefix + channel);
        long now = System.nanoTime();
        byte[] payload = Payloads.encode(seq, now, payloadSize, warmingUp);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + payload.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(payload, 0, request, head.length, payload.length);
        connection.out.write(request);
        connection.out.flush();
        bytesOut.add(request.length);
        int status = connection.readResponse();
        if (status / 100 != 2) {
            throw new IOException("publish to " + path + " answered " + status);
        }
        published.set(channel, seq);   // counted only once the server accepted it
        if (connection.closing) {
            throw new IOException("server closed the publishing connection");
        }
    }

    /** Messages published per channel so far. */
    public long[] published() {
        long[] out = new long[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = published.get(c);
        }
        return out;
    }

    public long totalPublished() {
        long sum = 0;
        for (int c = 0; c < channels; c++) {
            sum += published.get(c);
        }
        return sum;
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long maxLagNanos() {
        return maxLagNanos;
    }

    /** One keep-alive connection with just enough HTTP/1.1 to read an answer (Content-Length or chunked). */
    private final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        boolean closing;

        Connection() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 8192);
        }

        int readResponse() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String header;
            while (!(header = line()).isEmpty()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {
                    }
                }
            }
            if (chunked) {
                long size;
                while ((size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                skip(length);
            }
            closing = close;
            return status;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            int b;
            while ((b = in.read()) != -1) {
                bytesIn.increment();
                if (b == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) b);
            }
            throw new IOException("connection closed");
        }

        private void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() == -1) {
                        throw new IOException("connection closed");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
            bytesIn.add(n);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
