package dev.herald.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.ChannelId;
import dev.herald.redis.RedisKeys;
import dev.herald.redis.RedisServer;
import dev.herald.server.redis.SseStream.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.herald.server.redis.ClusterFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three Herald nodes, each its own process, on one redis-server: they act as one server. No sticky sessions — every
 * test publishes on one node and reads on others.
 */
class RedisClusterIT {

    @RegisterExtension
    static final ClusterFixture cluster = new ClusterFixture();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A short presence TTL, so a killed node's members leave (and the sweep runs) within seconds. */
    private static final java.util.function.Function<String, String[]> NODE_ARGS =
            uri -> new String[] {"--broker", uri, "--redis-presence-ttl", "3s"};

    private static RedisServer redis;
    private static HeraldProcess a;
    private static HeraldProcess b;
    private static HeraldProcess c;

    @BeforeAll
    static void startCluster() {
        redis = RedisServer.start();
        List<HeraldProcess> nodes = cluster.start(List.of("A", "B", "C"), NODE_ARGS.apply(redis.uri()));
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.closeAll();
        redis.close();
    }

    @Test
    void publishOnOneNodeReachesSseWebSocketAndLongPollSubscribersOnTheOthers() throws Exception {
        String channel = "fanout";
        String start = Http.history(a.url(), channel, null).cursor();
        try (SseStream sseB = SseStream.open(b.url("/v1/sse?channel=" + channel), null).awaitReady(TIMEOUT);
             SseStream sseC = SseStream.open(c.url("/v1/sse?channel=" + channel), null).awaitReady(TIMEOUT);
             WsStream wsB = WsStream.connect(b.url()).subscribe(channel);
             WsStream wsC = WsStream.connect(c.url()).subscribe(channel)) {
            CompletableFuture<Http.Page> pollB = CompletableFuture.supplyAsync(
                    () -> Http.longPoll(b.url(), channel, start, 30));
            CompletableFuture<Http.Page> pollC = CompletableFuture.supplyAsync(
                    () -> Http.longPoll(c.url(), channel, start, 30));

            String id = Http.publishOk(a.url(), channel, "hello from A");

            assertThat(sseB.next(TIMEOUT)).isEqualTo(new Event(id, "message", "hello from A"));
            assertThat(sseC.next(TIMEOUT)).isEqualTo(new Event(id, "message", "hello from A"));
            for (WsStream ws : List.of(wsB, wsC)) {
                JsonNode frame = ws.next("message", TIMEOUT);
                assertThat(frame.path("channel").asText()).isEqualTo(channel);
                assertThat(frame.path("id").asText()).isEqualTo(id);
                assertThat(frame.path("data").asText()).isEqualTo("hello from A");
            }
            for (CompletableFuture<Http.Page> poll : List.of(pollB, pollC)) {
                Http.Page page = poll.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.messages()).containsExactly(new Http.Polled(id, "hello from A"));
                assertThat(page.cursor()).isEqualTo(id);
            }
        }
    }

    @Test
    void aNodeUnsubscribesFromRedisSoonAfterTheLastLongPollOfAChannelIsAnswered() throws Exception {
        String channel = "polled-once";
        String pubSub = RedisKeys.of(RedisKeys.DEFAULT_PREFIX).pubSub(ChannelId.of(channel));
        String start = Http.history(a.url(), channel, null).cursor();
        CompletableFuture<Http.Page> poll = CompletableFuture.supplyAsync(
                () -> Http.longPoll(b.url(), channel, start, 30));
        ClusterFixture.eventually("B subscribed to " + pubSub, () -> subscribers(pubSub) == 1);

        String id = Http.publishOk(a.url(), channel, "the only one");

        assertThat(poll.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).messages())
                .containsExactly(new Http.Polled(id, "the only one"));
        // Kept for a poll that comes back (docs/redis.md, "Fan-in"), then dropped by the node's sweep.
        ClusterFixture.eventually("B unsubscribed from " + pubSub, () -> subscribers(pubSub) == 0);
    }

    /**
     * A poll that comes back with its answer's cursor, the newest message its node fanned out, is held without a
     * history read (docs/redis.md, "Fan-in"). {@code XLEN} runs only in the history script, so Redis's count of it
     * counts the node's reads. An SSE stream on the node keeps the channel subscribed throughout.
     */
    @Test
    void aLongPollAtTheNewestMessageOfItsNodeIsHeldWithoutReadingHistory() throws Exception {
        String channel = "polled-again";
        String start = Http.history(a.url(), channel, null).cursor();
        try (SseStream watcher = SseStream.open(b.url("/v1/sse?channel=" + channel), null).awaitReady(TIMEOUT)) {
            String first = Http.publishOk(a.url(), channel, "first");
            assertThat(watcher.next(TIMEOUT).id()).isEqualTo(first);
            long reads = historyReads();

            Http.Page atOnce = Http.longPoll(b.url(), channel, first, 0);
            assertThat(atOnce.messages()).isEmpty();
            assertThat(atOnce.cursor()).isEqualTo(first);
            CompletableFuture<Http.Page> held = CompletableFuture.supplyAsync(
                    () -> Http.longPoll(b.url(), channel, first, 30));
            ClusterFixture.eventually("the poll held on B",
                    () -> held.isDone() || Http.stats(b.url()).path("subscriptions").asInt() == 2);
            String second = Http.publishOk(a.url(), channel, "second");

            assertThat(held.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).messages())
                    .containsExactly(new Http.Polled(second, "second"));
            assertThat(historyReads()).isEqualTo(reads);
            // A poll behind the newest message still reads what it missed.
            assertThat(Http.longPoll(b.url(), channel, start, 0).messages()).extracting(Http.Polled::data)
                    .containsExactly("first", "second");
            assertThat(historyReads()).isEqualTo(reads + 1);
        }
    }

    /** Calls of {@code XLEN} Redis has run, from {@code INFO commandstats}. */
    private static long historyReads() {
        for (String line : redis.cli("INFO", "commandstats").split("\\R")) {
            if (line.startsWith("cmdstat_xlen:calls=")) {
                return Long.parseLong(line.substring("cmdstat_xlen:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    /** Redis's count of subscribers of a pub/sub channel ({@code PUBSUB NUMSUB}: the name, then the count). */
    private static int subscribers(String pubSub) {
        String[] lines = redis.cli("PUBSUB", "NUMSUB", pubSub).split("\\s+");
        return Integer.parseInt(lines[lines.length - 1]);
    }

    @Test
    void idsComeFromRedisSoEveryNodeCountsOneSequencePerChannel() {
        String channel = "shared-ids";
        String one = Http.publishOk(a.url(), channel, "1");
        String two = Http.publishOk(b.url(), channel, "2");
        String three = Http.publishOk(c.url(), channel, "3");

        String epoch = one.substring(0, one.lastIndexOf('-'));
        assertThat(List.of(one, two, three)).containsExactly(epoch + "-1", epoch + "-2", epoch + "-3");
        assertThat(Http.history(b.url(), channel, one).messages()).extracting(Http.Polled::data)
                .containsExactly("2", "3");
    }

    @Test
    void clientOfAKilledNodeResumesOnAnotherWithEveryMessageExactlyOnceInOrder() throws Exception {
        String channel = "continuous";
        int total = 300;
        List<String> expected = IntStream.rangeClosed(1, total).mapToObj(i -> "m" + i).toList();
        try (HeraldProcess doomed = cluster.start("doomed", NODE_ARGS.apply(redis.uri()))) {
            SseStream first = SseStream.open(doomed.url("/v1/sse?channel=" + channel), null).awaitReady(TIMEOUT);
            CountDownLatch killed = new CountDownLatch(1);
            // Publishes through B: 100 before the kill, 100 while the client is away, 100 racing its resume.
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= total; i++) {
                    if (i == 101) {
                        await(killed);
                    }
                    Http.publishOk(b.url(), channel, "m" + i);
                }
            });

            List<String> received = new ArrayList<>();
            while (received.size() < 50) {
                Event event = first.next(TIMEOUT);
                assertThat(event.isEnd()).as("stream ended early").isFalse();
                received.add(event.data());
            }
            doomed.kill();
            for (Event event = first.next(TIMEOUT); !event.isEnd(); event = first.next(TIMEOUT)) {
                received.add(event.data());   // whatever the dead node had already sent
            }
            String cursor = first.lastEventId();
            first.close();
            killed.countDown();

            try (SseStream second = SseStream.open(c.url("/v1/sse?channel=" + channel), cursor)) {
                assertThat(second.status()).isEqualTo(200);
                while (received.size() < total) {
                    Event event = second.next(TIMEOUT);
                    assertThat(event.type()).as("no reset or end expected").isEqualTo("message");
                    received.add(event.data());
                }
                publisher.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                Http.publishOk(b.url(), channel, "fence");
                assertThat(second.next(TIMEOUT).data()).as("nothing after m" + total + " but the fence")
                        .isEqualTo("fence");
            }
            assertThat(received).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void historyTrimmedInRedisYieldsTheResetSignalOnResume() throws Exception {
        String channel = "trimmed";
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(Http.publishOk(a.url(), channel, "m" + i));
        }
        redis.cli("XTRIM", "herald:{" + channel + "}:stream", "MAXLEN", "2");
        String epoch = ids.get(0).substring(0, ids.get(0).lastIndexOf('-'));

        try (SseStream sse = SseStream.open(b.url("/v1/sse?channel=" + channel), ids.get(1))) {
            Event reset = sse.next(TIMEOUT);
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.id()).isEqualTo(epoch + "-3");
            JsonNode signal = JSON.readTree(reset.data());
            assertThat(signal.path("reason").asText()).isEqualTo("history_trimmed");
            assertThat(signal.path("position").asText()).isEqualTo(epoch + "-3");
            assertThat(sse.next(TIMEOUT)).isEqualTo(new Event(ids.get(3), "message", "m4"));
            assertThat(sse.next(TIMEOUT)).isEqualTo(new Event(ids.get(4), "message", "m5"));
        }
        Http.Page polled = Http.history(c.url(), channel, ids.get(1));
        assertThat(polled.resets()).singleElement()
                .satisfies(r -> assertThat(r.path("reason").asText()).isEqualTo("history_trimmed"));
        assertThat(polled.messages()).extracting(Http.Polled::data).containsExactly("m4", "m5");
    }

    @Test
    void presenceIsClusterWideAndTheMembersOfAKilledNodeLeaveEverywhere() {
        String channel = "lobby";
        try (HeraldProcess doomed = cluster.start("doomed-presence", NODE_ARGS.apply(redis.uri()));
             WsStream onB = WsStream.connect(b.url()).subscribe(channel, true)) {
            JsonNode sync = onB.await("presence", f -> f.path("action").asText().equals("sync"), TIMEOUT);
            assertThat(sync.path("members").findValuesAsText("connection")).contains(onB.connection());

            WsStream onDoomed = WsStream.connect(doomed.url()).subscribe(channel, true);
            JsonNode seenOnDoomed = onDoomed.await("presence", f -> f.path("action").asText().equals("sync"),
                    TIMEOUT);
            assertThat(seenOnDoomed.path("members").findValuesAsText("connection"))
                    .contains(onB.connection(), onDoomed.connection());
            onB.await("presence", f -> f.path("action").asText().equals("join")
                    && f.path("member").path("connection").asText().equals(onDoomed.connection()), TIMEOUT);
            try (WsStream onC = WsStream.connect(c.url()).subscribe(channel, true)) {
                JsonNode seenOnC = onC.await("presence", f -> f.path("action").asText().equals("sync"), TIMEOUT);
                assertThat(seenOnC.path("members").findValuesAsText("connection"))
                        .contains(onB.connection(), onDoomed.connection(), onC.connection());

                doomed.kill();   // its connection never leaves: its member expires and the sweep announces it

                for (WsStream watcher : List.of(onB, onC)) {
                    watcher.await("presence", f -> f.path("action").asText().equals("leave")
                            && f.path("member").path("connection").asText().equals(onDoomed.connection()), TIMEOUT);
                }
            }
            onDoomed.close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latch not released within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
