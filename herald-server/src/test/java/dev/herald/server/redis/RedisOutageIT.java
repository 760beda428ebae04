package dev.herald.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.redis.RedisServer;
import dev.herald.server.redis.SseStream.Event;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.herald.server.redis.ClusterFixture.TIMEOUT;
import static dev.herald.server.redis.ClusterFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis stopped and started again under a running two-node cluster: what docs/redis.md promises. Publishes and new
 * subscriptions get 503 with a reason while Redis is down; open streams stay open; when Redis is back every node
 * recovers by itself — with nothing lost when Redis kept its data, and with the explicit reset when it did not.
 *
 * <p>Each outage is repeated: a node's two Redis connections reconnect independently, in either order, and an
 * open stream must survive both orders (the pub/sub connection back first used to close it as unavailable).
 */
class RedisOutageIT {

    @RegisterExtension
    static final ClusterFixture cluster = new ClusterFixture();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int OUTAGES = 8;

    private static RedisServer redis;
    private static HeraldProcess a;
    private static HeraldProcess b;

    @BeforeAll
    static void startCluster() {
        redis = RedisServer.builder().persistent().start();
        List<HeraldProcess> nodes = cluster.start(List.of("A", "B"), "--broker", redis.uri());
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @AfterAll
    static void stopCluster() {
        cluster.closeAll();
        redis.close();
    }

    /** Publishes once Redis takes it again; until then every attempt must be a clean 503. */
    private static String publishWhenBack(HeraldProcess node, String channel, String text) {
        String[] id = {null};
        eventually("a publish on " + node + " succeeds again", () -> {
            Http.Answer answer = Http.publish(node.url(), channel, text);
            if (answer.status() == 503) {
                return false;
            }
            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
            id[0] = answer.text("id");
            return true;
        });
        return id[0];
    }

    /**
     * Reads history once the node's own command connection is back: a node's two Redis connections reconnect
     * independently, so its pub/sub one may already deliver while history on it is still a 503 for a moment.
     */
    private static Http.Page historyWhenBack(HeraldProcess node, String channel, String after) {
        Http.Page[] page = {null};
        eventually("a history read on " + node + " succeeds again", () -> {
            Http.Page answer = Http.history(node.url(), channel, after);
            if (answer.status() == 503) {
                return false;
            }
            assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
            page[0] = answer;
            return true;
        });
        return page[0];
    }

    @RepeatedTest(OUTAGES)
    void redisRestartedWithItsDataLosesNothingAndNeedsNoNodeRestart(RepetitionInfo outage) {
        String channel = "outage-" + outage.getCurrentRepetition();
        try (SseStream subscriber = SseStream.open(b.url("/v1/sse?channel=" + channel), null).awaitReady(TIMEOUT)) {
            String before = Http.publishOk(a.url(), channel, "before");
            assertThat(subscriber.next(TIMEOUT)).isEqualTo(new Event(before, "message", "before"));

            redis.stop();

            Http.Answer refused = Http.publish(a.url(), channel, "while down");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.text("error")).isEqualTo("unavailable");
            assertThat(refused.text("message")).contains("Redis is unavailable");
            assertThat(Http.history(b.url(), channel, before).status()).isEqualTo(503);
            try (SseStream newcomer = SseStream.open(a.url("/v1/sse?channel=" + channel), null)) {
                assertThat(newcomer.status()).isEqualTo(503);
            }
            assertThat(Http.get(a.url("/healthz"))).isEqualTo(200);

            redis.startProcess();
            String after = publishWhenBack(a, channel, "after");

            // Same stream, same epoch, next offset: the open subscription just carries on.
            assertThat(after).isEqualTo(before.substring(0, before.lastIndexOf('-')) + "-2");
            assertThat(subscriber.next(TIMEOUT)).isEqualTo(new Event(after, "message", "after"));
            assertThat(historyWhenBack(b, channel, before).messages()).extracting(Http.Polled::data)
                    .containsExactly("after");
        }
    }

    @RepeatedTest(OUTAGES)
    void redisRestartedEmptyGivesOpenSubscribersTheResetSignalWithoutAnyPublish(RepetitionInfo outage)
            throws Exception {
        String channel = "amnesia-" + outage.getCurrentRepetition();
        try (SseStream subscriber = SseStream.open(b.url("/v1/sse?channel=" + channel), null).awaitReady(TIMEOUT)) {
            String before = Http.publishOk(a.url(), channel, "before");
            assertThat(subscriber.next(TIMEOUT).id()).isEqualTo(before);

            redis.kill();
            redis.wipe();
            redis.startProcess();

            // B notices on its own, when its subscription is restored: the stream it followed is gone.
            Event reset = subscriber.next(TIMEOUT);
            assertThat(reset.type()).isEqualTo("reset");
            JsonNode signal = JSON.readTree(reset.data());
            assertThat(signal.path("reason").asText()).isEqualTo("stream_restarted");
            String position = signal.path("position").asText();
            assertThat(position).endsWith("-0").isNotEqualTo(before.substring(0, before.lastIndexOf('-')) + "-0");

            String after = publishWhenBack(a, channel, "after");
            assertThat(after).isEqualTo(position.substring(0, position.lastIndexOf('-')) + "-1");
            assertThat(subscriber.next(TIMEOUT)).isEqualTo(new Event(after, "message", "after"));
        }
    }
}
