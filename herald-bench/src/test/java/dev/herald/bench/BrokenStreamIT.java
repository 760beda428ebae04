package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checker must catch a server that breaks its streams. This fake server speaks just enough of Herald's
 * publish, SSE and stats endpoints, and relays every message to every stream except that it drops message 3,
 * sends message 5 twice, and swaps messages 7 and 8.
 */
class BrokenStreamIT {

    private final List<OutputStream> streams = new CopyOnWriteArrayList<>();
    private ServerSocket listener;
    private byte[] held;

    @BeforeEach
    void start() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    Thread t = new Thread(() -> serve(socket), "broken-server-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "broken-server");
        accept.setDaemon(true);
        accept.start();
    }

    @AfterEach
    void stop() throws IOException {
        listener.close();
    }

    @Test
    void detectsLossDuplicatesAndReordering() throws Exception {
        RunResult r = Runner.run(new Runner.Options("broken", "broken", ServerKind.HERALD, "127.0.0.1",
                listener.getLocalPort(), 0, null, false, false, Transport.SSE, 2, 1, 20, 4, 32,
                java.time.Duration.ZERO, java.time.Duration.ofMillis(1000), java.time.Duration.ofMillis(50),
                java.time.Duration.ofSeconds(2),
                1000, 5, 100, 1, 10, 1, 1, List.of(), "test"));

        assertThat(r.published()).isGreaterThanOrEqualTo(9);
        assertThat(r.check().ok()).isFalse();
        assertThat(r.check().missing()).isEqualTo(2);
        assertThat(r.check().duplicates()).isEqualTo(2);
        assertThat(r.check().outOfOrder()).isEqualTo(2);
        assertThat(r.check().subscribersWithProblems()).isEqualTo(2);
        assertThat(r.check().examples()).hasSize(2).allSatisfy(e -> assertThat(e).contains("missing 1"));
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith("stream check failed"));
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                int length = 0;
                String header;
                while (!(header = line(in)).isEmpty()) {
                    if (header.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                byte[] body = in.readNBytes(length);
                String path = requestLine.split(" ")[1];
                if (path.startsWith("/v1/sse")) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    streams.add(out);
                    in.read();   // hold the stream open until the client leaves
                    return;
                }
                if (path.startsWith("/v1/stats")) {
                    respond(out, "{\"subscriptions\":" + streams.size() + "}", true);
                    return;
                }
                relay(body);
                respond(out, "{\"id\":\"x\"}", false);
            }
        } catch (IOException e) {
            // client went away
        }
    }

    private synchronized void relay(byte[] payload) throws IOException {
        long[] parsed = new long[2];
        Payloads.parse(payload, 0, payload.length, parsed);
        long seq = parsed[0];
        if (seq == 3) {
            return;
        }
        if (seq == 7) {
            held = payload;
            return;
        }
        send(payload);
        if (seq == 5) {
            send(payload);
        }
        if (seq == 8) {
            send(held);
        }
    }

    private void send(byte[] payload) throws IOException {
        byte[] event = ("data: " + new String(payload, StandardCharsets.US_ASCII) + "\n\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (OutputStream out : streams) {
            out.write(event);
            out.flush();
        }
    }

    private static void respond(OutputStream out, String body, boolean close) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + (close ? "\r\nConnection: close" : "") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return sb.toString().replace("\r", "");
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
