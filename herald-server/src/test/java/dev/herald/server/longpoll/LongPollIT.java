package dev.herald.server.longpoll;

import static dev.herald.server.testing.TestServer.encode;
import static dev.herald.server.testing.TestServer.json;
import static dev.herald.server.testing.TestServer.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Await;
import dev.herald.server.testing.TestServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LongPollIT {

    private static TestServer server;
    private static int channels;
    private String channel;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void freshChannel() {
        channel = "poll-" + ++channels;
    }

    private static List<String> data(JsonNode answer) {
        return StreamSupport.stream(answer.get("messages").spliterator(), false)
                .map(message -> message.get("data").asText()).toList();
    }

    private static List<String> ids(JsonNode answer) {
        return StreamSupport.stream(answer.get("messages").spliterator(), false)
                .map(message -> message.get("id").asText()).toList();
    }

    /** The current position of the channel, as a short poller would learn it. */
    private String top() {
        return server.history(channel, "limit=1&after=" + encode("zzzz-0")).get("cursor").asText();
    }

    /** Waits until {@code count} more polls than {@code before} are subscribed, i.e. held. */
    private static void awaitHeld(int before, int count) {
        Await.until("held polls", () -> server.server().node().subscriptionCount() >= before + count,
                TestServer.TIMEOUT);
    }

    @Test
    void answersAtOnceWhenMessagesAfterTheCursorExist() {
        String first = server.publish(channel, "one");
        String second = server.publish(channel, "two");
        String third = server.publish(channel, "three");

        // timeout=120 is far longer than the HTTP client's own timeout: only an immediate answer passes.
        JsonNode answer = server.poll("channel=" + channel + "&after=" + first + "&timeout=120");

        assertThat(data(answer)).containsExactly("two", "three");
        assertThat(ids(answer)).containsExactly(second, third);
        assertThat(answer.get("cursor").asText()).isEqualTo(third);
        assertThat(answer.get("resets").size()).isZero();
        assertThat(answer.has("more")).isFalse();
    }

    @Test
    void holdsTheRequestUntilAMessageIsPublished() {
        String cursor = server.publish(channel, "before");
        int subscribed = server.server().node().subscriptionCount();

        CompletableFuture<HttpResponse<String>> poll = server.getAsync("/v1/poll?channel=" + channel + "&after="
                + cursor + "&timeout=60");
        awaitHeld(subscribed, 1);
        assertThat(poll).isNotDone();
        String id = server.publish(channel, "after", "greet");

        HttpResponse<String> response = poll.join();
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
        JsonNode answer = ok(response);
        assertThat(answer.get("messages")).hasSize(1);
        JsonNode message = answer.get("messages").get(0);
        assertThat(message.get("channel").asText()).isEqualTo(channel);
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("event").asText()).isEqualTo("greet");
        assertThat(message.get("data").asText()).isEqualTo("after");
        assertThat(message.get("time").isIntegralNumber()).isTrue();
        assertThat(answer.get("cursor").asText()).isEqualTo(id);
    }

    /** Polls answered by the same one message share its encoded answer; each gets all of it, and so do later ones. */
    @Test
    void pollsAnsweredByTheSameMessageGetTheSameAnswer() {
        String cursor = server.publish(channel, "before");
        int subscribed = server.server().node().subscriptionCount();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            polls.add(server.getAsync("/v1/poll?channel=" + channel + "&after=" + cursor + "&timeout=60"));
        }
        awaitHeld(subscribed, 3);
        String id = server.publish(channel, "for everyone");

        String first = polls.get(0).join().body();
        assertThat(polls).allSatisfy(poll -> assertThat(poll.join().body()).isEqualTo(first));
        assertThat(server.poll("channel=" + channel + "&after=" + cursor + "&timeout=60").toString())
                .isEqualTo(ok(polls.get(0).join()).toString());
        JsonNode answer = ok(polls.get(0).join());
        assertThat(answer.get("messages").get(0).get("data").asText()).isEqualTo("for everyone");
        assertThat(answer.get("cursor").asText()).isEqualTo(id);
    }

    @Test
    void answersEmptyWithTheSameCursorWhenTheTimeoutPasses() {
        String cursor = server.publish(channel, "old news");

        long start = System.nanoTime();
        JsonNode answer = server.poll("channel=" + channel + "&after=" + cursor + "&timeout=1");

        assertThat(System.nanoTime() - start).as("held for the whole timeout").isGreaterThanOrEqualTo(1_000_000_000L);
        assertThat(answer.get("messages").size()).isZero();
        assertThat(answer.get("resets").size()).isZero();
        assertThat(answer.get("cursor").asText()).isEqualTo(cursor);
    }

    @Test
    void answersEmptyAtOnceWithTimeoutZero() {
        String cursor = server.publish(channel, "old news");

        JsonNode answer = server.poll("channel=" + channel + "&after=" + cursor + "&timeout=0");

        assertThat(answer.get("messages").size()).isZero();
        assertThat(answer.get("cursor").asText()).isEqualTo(cursor);
    }

    @Test
    void withoutACursorWaitsForTheNextMessageAndSkipsOlderOnes() {
        server.publish(channel, "old one");
        server.publish(channel, "old two");
        int subscribed = server.server().node().subscriptionCount();

        CompletableFuture<HttpResponse<String>> poll = server.getAsync("/v1/poll?channel=" + channel + "&timeout=60");
        awaitHeld(subscribed, 1);
        String id = server.publish(channel, "new");

        JsonNode answer = ok(poll.join());
        assertThat(data(answer)).containsExactly("new");
        assertThat(answer.get("cursor").asText()).isEqualTo(id);
    }

    @Test
    void withoutACursorAFirstPollThatTimesOutReturnsTheCurrentPosition() {
        String last = server.publish(channel, "old");

        JsonNode answer = server.poll("channel=" + channel + "&timeout=1");

        assertThat(answer.get("messages").size()).isZero();
        assertThat(answer.get("cursor").asText()).isEqualTo(last);
    }

    @Test
    void limitCapsTheAnswerAndTheCursorContinuesWithNothingLost() {
        String start = top();
        List<String> published = IntStream.range(0, 10).mapToObj(i -> server.publish(channel, "m" + i)).toList();

        List<String> received = new ArrayList<>();
        String cursor = start;
        List<Integer> sizes = new ArrayList<>();
        while (received.size() < published.size()) {
            JsonNode answer = server.poll("channel=" + channel + "&after=" + cursor + "&limit=3&timeout=5");
            sizes.add(answer.get("messages").size());
            received.addAll(ids(answer));
            cursor = answer.get("cursor").asText();
        }

        assertThat(sizes).containsExactly(3, 3, 3, 1);
        assertThat(received).containsExactlyElementsOf(published);
        assertThat(cursor).isEqualTo(published.getLast());
    }

    @Test
    void limitOnAHeldPollLosesNothingFromABurst() {
        String start = top();
        int subscribed = server.server().node().subscriptionCount();
        CompletableFuture<HttpResponse<String>> held = server.getAsync("/v1/poll?channel=" + channel + "&after="
                + start + "&limit=2&timeout=60");
        awaitHeld(subscribed, 1);
        List<String> published = IntStream.range(0, 7).mapToObj(i -> server.publish(channel, "burst " + i)).toList();

        JsonNode first = ok(held.join());
        assertThat(first.get("messages").size()).isBetween(1, 2);
        List<String> received = new ArrayList<>(ids(first));
        String cursor = first.get("cursor").asText();
        assertThat(cursor).isEqualTo(received.getLast());
        while (received.size() < published.size()) {
            JsonNode answer = server.poll("channel=" + channel + "&after=" + cursor + "&limit=2&timeout=5");
            assertThat(answer.get("messages").size()).isBetween(1, 2);
            received.addAll(ids(answer));
            cursor = answer.get("cursor").asText();
        }
        assertThat(received).containsExactlyElementsOf(published);
    }

    @Test
    void pollsSeveralChannelsWithACompositeCursor() {
        String a = channel + "-a";
        String b = channel + "-b";
        String a1 = server.publish(a, "a1");
        String b1 = server.publish(b, "b1");
        server.publish(b, "b2");
        String a2 = server.publish(a, "a2");

        JsonNode answer = server.poll("channel=" + a + "&channel=" + b + "&after=" + encode(a1 + "," + b1)
                + "&timeout=5");

        assertThat(data(answer)).containsExactlyInAnyOrder("a2", "b2");
        String[] cursor = answer.get("cursor").asText().split(",");
        assertThat(cursor).hasSize(2);
        assertThat(cursor[0]).isEqualTo(a2);
        assertThat(TestServer.offset(cursor[1])).isEqualTo(2);

        JsonNode idle = server.poll("channel=" + a + "&channel=" + b + "&after="
                + encode(answer.get("cursor").asText()) + "&timeout=1");
        assertThat(idle.get("messages").size()).isZero();
        assertThat(idle.get("cursor").asText()).isEqualTo(answer.get("cursor").asText());
    }

    /**
     * A poller that loops with {@code after} receives all of 1,000 messages exactly once and in order while they are
     * being published, even when answers are lost on the way (it polls again with its old cursor) and when it drops
     * a held poll's connection (it polls again elsewhere).
     */
    @Test
    void pollerThatLoopsWithItsCursorReceivesEveryMessageExactlyOnceInOrder() {
        int total = 1000;
        String cursor = top();
        try (ExecutorService publisher = Executors.newSingleThreadExecutor()) {
            CompletableFuture<List<String>> published = CompletableFuture.supplyAsync(() -> IntStream.range(0, total)
                    .mapToObj(i -> server.publish(channel, "message " + i)).toList(), publisher);

            List<String> received = new ArrayList<>();
            List<String> receivedIds = new ArrayList<>();
            int polls = 0;
            int lost = 0;
            while (received.size() < total) {
                polls++;
                if (polls % 11 == 0) {
                    abandonPoll(cursor);
                }
                JsonNode answer = server.poll("channel=" + channel + "&after=" + cursor + "&limit=37&timeout=10");
                if (polls % 5 == 0 && answer.get("messages").size() > 0) {
                    lost++;
                    continue;   // the answer never reached us: poll again from the same cursor
                }
                received.addAll(data(answer));
                receivedIds.addAll(ids(answer));
                assertThat(answer.get("resets").size()).isZero();
                cursor = answer.get("cursor").asText();
            }

            assertThat(lost).isPositive();
            assertThat(received).containsExactlyElementsOf(
                    IntStream.range(0, total).mapToObj(i -> "message " + i).toList());
            assertThat(receivedIds).containsExactlyElementsOf(published.join());
        }
    }

    /**
     * A shared answer is written past the response encoder, but still takes its place in the connection's exchange:
     * on a kept-alive connection the answers after it match their requests, so an answer to HEAD still has no body
     * (RFC 9110 §9.3.2), and pipelined requests get their answers in order. Read off the wire, where a body too many
     * would show up as the next response's status line.
     */
    @Test
    void sharedAnswersKeepAKeptAliveConnectionsAnswersInStepWithItsRequests() throws IOException {
        String cursor = server.publish(channel, "before");
        String poll = "/v1/poll?channel=" + channel + "&after=" + cursor;
        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout((int) TestServer.TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            int subscribed = server.server().node().subscriptionCount();
            send(out, "GET " + poll + "&timeout=60");
            awaitHeld(subscribed, 1);
            String id = server.publish(channel, "shared");

            String held = TestServer.readResponse(in);
            String body = held.substring(held.indexOf("\r\n\r\n") + 4);
            assertThat(held).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + "cache-control: no-store\r\ncontent-length: " + body.length() + "\r\n\r\n" + body);
            assertThat(data(json(body))).containsExactly("shared");
            assertThat(json(body).get("cursor").asText()).isEqualTo(id);

            // Pipelined: a HEAD, then a poll that the same shared answer answers at once. (Nothing may follow a
            // poll before its answer: the server closes a connection that sends a request behind a held one.)
            send(out, "HEAD " + poll, "GET " + poll + "&timeout=0");
            String head = TestServer.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("content-length: ");
            assertThat(TestServer.readResponse(in)).isEqualTo(held);
            send(out, "HEAD " + poll, "GET /healthz");
            assertThat(TestServer.readHead(in)).isEqualTo(head);
            assertThat(TestServer.readResponse(in)).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: ");
        }
    }

    /** Writes {@code requests} (method and target) in one go, each with a Host header and nothing else. */
    private static void send(OutputStream out, String... requests) throws IOException {
        StringBuilder bytes = new StringBuilder();
        for (String request : requests) {
            bytes.append(request).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        }
        out.write(bytes.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends a poll on a raw socket and closes it without reading the answer. */
    private void abandonPoll(String cursor) {
        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/poll?channel=" + channel + "&after=" + cursor + "&timeout=60 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void answersHeldPollsWhenTheServerShutsDown() {
        try (TestServer closing = TestServer.start()) {
            String cursor = closing.publish("shutdown", "before");
            int subscribed = closing.server().node().subscriptionCount();
            CompletableFuture<HttpResponse<String>> held = closing.getAsync("/v1/poll?channel=shutdown&after="
                    + cursor + "&timeout=60");
            Await.until("the poll to be held",
                    () -> closing.server().node().subscriptionCount() > subscribed, TestServer.TIMEOUT);

            closing.server().close();

            JsonNode answer = json(held.join().body());
            assertThat(held.join().statusCode()).isEqualTo(200);
            assertThat(answer.get("messages").size()).isZero();
            assertThat(answer.get("cursor").asText()).isEqualTo(cursor);
        }
    }
}
