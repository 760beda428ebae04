package dev.herald.server.longpoll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Await;
import dev.herald.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Thousands of held polls cost the server no thread each and are all answered by one publish. The clients are
 * non-blocking sockets on one selector, so 5,000 of them fit in this process beside the server's 5,000 (two file
 * descriptors per poll, well under the 20,000 allowed).
 */
class ManyHeldPollsIT {

    private static final int POLLS = 5000;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void fiveThousandHeldPollsAreAllAnsweredByOnePublish() throws IOException {
        try (TestServer server = TestServer.start();
             Selector selector = Selector.open()) {
            String cursor = server.history("crowd", "").get("cursor").asText();
            byte[] request = ("GET /v1/poll?channel=crowd&after=" + cursor + "&timeout=90 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            InetSocketAddress address = server.address();
            List<SocketChannel> sockets = new ArrayList<>(POLLS);
            Map<SocketChannel, ByteArrayOutputStream> answers = new HashMap<>();
            try {
                for (int i = 0; i < POLLS; i++) {
                    // A blocking connect, one at a time: no burst on the listen backlog.
                    SocketChannel socket = SocketChannel.open(address);
                    sockets.add(socket);
                    socket.setOption(StandardSocketOptions.SO_LINGER, 0);   // no TIME_WAIT pile-up on our side
                    ByteBuffer out = ByteBuffer.wrap(request);
                    while (out.hasRemaining()) {
                        socket.write(out);
                    }
                    socket.configureBlocking(false);
                    socket.register(selector, SelectionKey.OP_READ);
                    answers.put(socket, new ByteArrayOutputStream());
                }
                Await.until("all polls held", () -> server.server().node().subscriptionCount() == POLLS, DEADLINE);
                assertThat(selector.selectNow()).as("polls answered before anything was published").isZero();

                String id = server.publish("crowd", "wake up");

                List<String> bodies = readAllAnswers(selector, answers);
                assertThat(bodies).hasSize(POLLS);
                for (String body : bodies) {
                    JsonNode answer = TestServer.json(body);
                    assertThat(answer.get("messages")).hasSize(1);
                    assertThat(answer.get("messages").get(0).get("data").asText()).isEqualTo("wake up");
                    assertThat(answer.get("cursor").asText()).isEqualTo(id);
                }
                Await.until("subscriptions released", () -> server.server().node().subscriptionCount() == 0,
                        DEADLINE);
            } finally {
                for (SocketChannel socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /** Reads every connection to its end (the server closes after answering) and returns the response bodies. */
    private static List<String> readAllAnswers(Selector selector, Map<SocketChannel, ByteArrayOutputStream> answers)
            throws IOException {
        List<String> bodies = new ArrayList<>(answers.size());
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (bodies.size() < answers.size()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new AssertionError("only " + bodies.size() + " of " + answers.size() + " polls were answered");
            }
            selector.select(Math.max(1, Duration.ofNanos(remaining).toMillis()));
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel socket = (SocketChannel) key.channel();
                ByteArrayOutputStream answer = answers.get(socket);
                int n;
                while ((n = socket.read(buffer.clear())) > 0) {
                    answer.write(buffer.array(), 0, n);
                }
                if (n < 0) {
                    key.cancel();
                    bodies.add(body(answer.toString(StandardCharsets.UTF_8)));
                }
            }
            selector.selectedKeys().clear();
        }
        return bodies;
    }

    private static String body(String response) {
        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
        int end = response.indexOf("\r\n\r\n");
        String head = response.substring(0, end).toLowerCase();
        String body = response.substring(end + 4);
        assertThat(head).contains("content-length: " + body.getBytes(StandardCharsets.UTF_8).length);
        return body;
    }
}
