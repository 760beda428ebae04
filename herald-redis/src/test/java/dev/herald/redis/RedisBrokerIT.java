package dev.herald.redis;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.core.ChannelId;
import dev.herald.core.GapReason;
import dev.herald.core.HeraldUnavailableException;
import dev.herald.core.HistoryPage;
import dev.herald.core.ManualClock;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import dev.herald.core.spi.BrokerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the Redis broker adds to the shared contract ({@link RedisBrokerContractIT}): state that outlives a node,
 * gaps caused by what happens inside Redis, time-based trimming, and Redis going away and coming back. Each test uses
 * its own key prefix on one shared redis-server, except the outage tests, which stop their own.
 */
class RedisBrokerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ChannelId CHANNEL = ChannelId.of("news");

    private static RedisServer shared;

    private final String prefix = "it" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + ":";
    private final List<RedisBroker> brokers = new ArrayList<>();
    private final List<RedisServer> servers = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        shared = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        shared.close();
    }

    @AfterEach
    void closeAll() {
        brokers.forEach(RedisBroker::close);
        servers.forEach(RedisServer::close);
    }

    private RedisBroker broker(RedisBrokerConfig.Builder config, BrokerListener listener) {
        RedisBroker broker = RedisBroker.create(config.keyPrefix(prefix).build());
        brokers.add(broker);
        broker.start(listener);
        return broker;
    }

    private RedisBroker broker(String uri) {
        return broker(RedisBrokerConfig.builder(uri), new Listener());
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static StreamPosition publish(RedisBroker broker, String text) {
        return await(broker.publish(CHANNEL, Payload.text(text), PublishOptions.DEFAULT));
    }

    private static List<Long> offsets(HistoryPage page) {
        return page.messages().stream().map(Message::offset).toList();
    }

    /** Polls {@code condition} until it holds, failing after {@link #TIMEOUT}. */
    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    // ---- state in Redis outlives a node ----

    @Test
    void epochAndOffsetsSurviveTheNodeThatPublished() {
        RedisBroker first = broker(shared.uri());
        StreamPosition cursor = publish(first, "one");
        publish(first, "two");
        first.close();

        RedisBroker second = broker(shared.uri());
        StreamPosition three = publish(second, "three");
        HistoryPage page = await(second.read(CHANNEL, cursor, 10));

        assertThat(three).isEqualTo(cursor.at(3));
        assertThat(page.gap()).isNull();
        assertThat(offsets(page)).containsExactly(2L, 3L);
    }

    @Test
    void twoNodesShareOffsetsAndDeliverEachOthersMessages() {
        Listener listenerB = new Listener();
        RedisBroker a = broker(shared.uri());
        RedisBroker b = broker(RedisBrokerConfig.builder(shared.uri()), listenerB);
        await(b.subscribe(CHANNEL));

        StreamPosition one = publish(a, "from a");
        StreamPosition two = publish(b, "from b");

        assertThat(two).isEqualTo(one.at(2));
        assertThat(listenerB.awaitMessages(2)).extracting(Message::position).containsExactly(one, two);
    }

    @Test
    void lostChannelStateStartsANewEpochAndOldCursorsAreStreamRestarted() {
        RedisBroker broker = broker(shared.uri());
        StreamPosition old = publish(broker, "before");
        shared.cli("DEL", broker.keys().meta(CHANNEL), broker.keys().stream(CHANNEL));   // as FLUSHALL or eviction would

        StreamPosition fresh = publish(broker, "after");
        HistoryPage page = await(broker.read(CHANNEL, old, 10));

        assertThat(fresh.epoch()).isNotEqualTo(old.epoch());
        assertThat(fresh.offset()).isEqualTo(1);
        assertThat(page.gap()).isEqualTo(GapReason.STREAM_RESTARTED);
        assertThat(page.messages()).extracting(m -> m.payload().asText()).containsExactly("after");
    }

    /**
     * A node keeps the meta hash of each channel it has interest in from expiring, so watchers that read nothing
     * (live subscriptions, long polls resuming at the newest position) do not see the channel start a new epoch;
     * once no node has interest, it expires as before.
     */
    @Test
    void theMetaOfAWatchedChannelOutlivesItsTtlAndExpiresOnceNobodyWatches() {
        Duration ttl = Duration.ofMillis(1200);   // renewed every 300 ms: slack for a loaded machine
        RedisBroker broker = broker(RedisBrokerConfig.builder(shared.uri()).historyAge(Duration.ofMillis(500))
                .metaTtl(ttl), new Listener());
        String meta = broker.keys().meta(CHANNEL);
        await(broker.subscribe(CHANNEL));
        StreamPosition one = publish(broker, "one");

        long published = System.nanoTime();
        eventually("two and a half meta TTLs pass", () -> {
            assertThat(shared.cli("EXISTS", meta).trim()).as("the meta hash exists").isEqualTo("1");
            return System.nanoTime() - published > ttl.toNanos() * 5 / 2;
        });
        assertThat(publish(broker, "two")).isEqualTo(one.at(2));

        await(broker.unsubscribe(CHANNEL));
        eventually("the meta hash expired", () -> shared.cli("EXISTS", meta).trim().equals("0"));
    }

    @Test
    void aStreamLeftWithoutItsMetaIsDroppedSoOffsetsNeverRepeatInAnEpoch() {
        RedisBroker broker = broker(shared.uri());
        publish(broker, "old life");
        shared.cli("DEL", broker.keys().meta(CHANNEL));

        StreamPosition fresh = publish(broker, "new life");
        HistoryPage page = await(broker.read(CHANNEL, null, 10));

        assertThat(page.messages()).extracting(Message::position).containsExactly(fresh);
    }

    @Test
    void historyTrimmedInsideRedisIsReportedAsHistoryTrimmed() {
        RedisBroker broker = broker(shared.uri());
        StreamPosition first = null;
        for (int i = 1; i <= 5; i++) {
            StreamPosition position = publish(broker, "m" + i);
            first = first == null ? position : first;
        }
        shared.cli("XTRIM", broker.keys().stream(CHANNEL), "MAXLEN", "2");

        HistoryPage page = await(broker.read(CHANNEL, first, 10));

        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(page)).containsExactly(4L, 5L);
        assertThat(page.resetPosition()).isEqualTo(first.at(3));
    }

    @Test
    void readingAnUnknownChannelFixesItsEpochSoTheFirstPublishContinuesIt() {
        RedisBroker broker = broker(shared.uri());

        HistoryPage empty = await(broker.read(CHANNEL, null, 0));
        StreamPosition first = publish(broker, "first");

        assertThat(empty.top().offset()).isZero();
        assertThat(first).isEqualTo(empty.top().at(1));
    }

    @Test
    void historySizeZeroKeepsNothingButStillCountsOffsets() {
        RedisBroker broker = broker(RedisBrokerConfig.builder(shared.uri()).historySize(0), new Listener());
        StreamPosition one = publish(broker, "one");
        publish(broker, "two");

        HistoryPage page = await(broker.read(CHANNEL, one, 10));

        assertThat(page.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(page.messages()).isEmpty();
        assertThat(page.top()).isEqualTo(one.at(2));
        assertThat(shared.cli("EXISTS", broker.keys().stream(CHANNEL))).isEqualTo("0");
    }

    // ---- age ----

    @Test
    void messagesOlderThanTheHistoryAgeAreTrimmedOnPublishAndOnRead() {
        ManualClock clock = new ManualClock();
        RedisBroker broker = broker(RedisBrokerConfig.builder(shared.uri()).clock(clock)
                .historyAge(Duration.ofMinutes(1)), new Listener());
        StreamPosition one = publish(broker, "one");
        publish(broker, "two");
        clock.advance(Duration.ofSeconds(61));
        StreamPosition three = publish(broker, "three");

        HistoryPage afterPublish = await(broker.read(CHANNEL, one, 10));
        clock.advance(Duration.ofSeconds(61));
        HistoryPage afterRead = await(broker.read(CHANNEL, three.at(2), 10));

        assertThat(afterPublish.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(offsets(afterPublish)).containsExactly(3L);
        assertThat(afterPublish.messages().get(0).publishedAtMillis()).isEqualTo(clock.millis() - 61_000);
        assertThat(afterRead.gap()).isEqualTo(GapReason.HISTORY_TRIMMED);
        assertThat(afterRead.messages()).isEmpty();
        assertThat(afterRead.top()).isEqualTo(three);
    }

    @Test
    void withoutAClockMessagesAreStampedWithRedisTime() {
        RedisBroker broker = broker(shared.uri());
        publish(broker, "now");
        long redisMillis = Long.parseLong(shared.cli("TIME").lines().findFirst().orElseThrow()) * 1000;

        Message message = await(broker.read(CHANNEL, null, 1)).messages().get(0);

        assertThat(message.publishedAtMillis()).isBetween(redisMillis - 60_000, redisMillis + 1000);
    }

    @Test
    void scriptsAreReloadedWhenRedisForgetsThem() {
        RedisBroker broker = broker(shared.uri());
        publish(broker, "one");
        shared.cli("SCRIPT", "FLUSH");

        assertThat(publish(broker, "two").offset()).isEqualTo(2);
        assertThat(await(broker.read(CHANNEL, null, 10)).messages()).hasSize(2);
    }

    // ---- Redis going away ----

    @Test
    void whileRedisIsDownPublishAndReadFailFastAsUnavailableAndTheBrokerRecoversByItself() {
        RedisServer redis = RedisServer.builder().persistent().start();
        servers.add(redis);
        Listener listener = new Listener();
        RedisBroker broker = broker(RedisBrokerConfig.builder(redis.uri()), listener);
        ChannelId quiet = ChannelId.of("quiet");
        ChannelId abandoned = ChannelId.of("abandoned");
        await(broker.subscribe(CHANNEL));
        await(broker.subscribe(quiet));
        await(broker.subscribe(abandoned));
        StreamPosition before = publish(broker, "before");

        redis.stop();
        assertThatThrownBy(() -> broker.publish(CHANNEL, Payload.text("lost?"), PublishOptions.DEFAULT)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .cause().isInstanceOf(HeraldUnavailableException.class).hasMessageContaining("Redis is unavailable");
        assertThatThrownBy(() -> broker.read(CHANNEL, null, 10).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .cause().isInstanceOf(HeraldUnavailableException.class);
        assertThatThrownBy(() -> broker.subscribe(ChannelId.of("new")).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .cause().isInstanceOf(HeraldUnavailableException.class);
        await(broker.unsubscribe(ChannelId.of("new")));
        await(broker.unsubscribe(abandoned));   // cannot reach Redis now; dropped when the subscription is restored

        redis.startProcess();
        listener.awaitInterrupted(CHANNEL);
        listener.awaitInterrupted(quiet);
        eventually("publishing works again", () -> broker.publish(CHANNEL, Payload.text("after"),
                PublishOptions.DEFAULT).handle((ok, failure) -> failure == null).join());

        assertThat(listener.awaitMessages(2)).extracting(m -> m.payload().asText()).containsExactly("before", "after");
        HistoryPage page = await(broker.read(CHANNEL, before, 10));
        assertThat(page.gap()).isNull();
        assertThat(page.messages()).extracting(m -> m.payload().asText()).containsExactly("after");
        eventually("the abandoned channel is unsubscribed",
                () -> redis.cli("PUBSUB", "NUMSUB", broker.keys().pubSub(abandoned)).endsWith("0"));
        assertThat(listener.interrupted()).doesNotContain(abandoned);
    }

    @Test
    void aDroppedPubSubConnectionIsRestoredAndReportedPerChannel() {
        Listener listener = new Listener();
        RedisBroker broker = broker(RedisBrokerConfig.builder(shared.uri()), listener);
        await(broker.subscribe(CHANNEL));

        shared.cli("CLIENT", "KILL", "TYPE", "pubsub");   // as Redis does to a client over its output buffer limit

        listener.awaitInterrupted(CHANNEL);
        StreamPosition after = publish(broker, "after");
        assertThat(listener.awaitMessages(1).get(0).position()).isEqualTo(after);
    }

    // ---- credentials ----

    @Test
    void passwordProtectedRedisWorksAndThePasswordIsNeverLoggedOrPrinted() {
        String password = "pw-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        RedisServer redis = RedisServer.builder().password(password).start();
        servers.add(redis);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            RedisBroker broker = broker(redis.uri());
            assertThat(publish(broker, "authenticated").offset()).isEqualTo(1);
            assertThat(broker.toString()).doesNotContain(password);
            assertThat(broker.config().toString()).doesNotContain(password);

            String wrong = redis.uri().replace(password, password + "-wrong");
            assertThatThrownBy(() -> RedisBroker.create(RedisBrokerConfig.of(wrong)))
                    .isInstanceOf(HeraldUnavailableException.class)
                    .hasMessageContaining("cannot connect to Redis at redis://:***@")
                    .hasMessageNotContaining(password);
            redis.stop();
            redis.startProcess();
            eventually("reconnected with the password",
                    () -> broker.publish(CHANNEL, Payload.text("again"), PublishOptions.DEFAULT)
                            .handle((ok, failure) -> failure == null).join());
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty();
        assertThat(logs.list).allSatisfy(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain(password);
            if (event.getThrowableProxy() != null) {
                assertThat(event.getThrowableProxy().getMessage()).doesNotContain(password);
            }
        });
    }

    @Test
    void tlsWithAPasswordWorksWhenTheServerCertificateIsTrusted() {
        RedisServer redis = RedisServer.builder().tls().password("tls-s3cret").start();
        servers.add(redis);

        RedisBroker broker = broker(RedisBrokerConfig.builder(redis.uri()).tlsCaCert(redis.certificate()),
                new Listener());

        assertThat(redis.uri()).startsWith("rediss://");
        assertThat(publish(broker, "over TLS").offset()).isEqualTo(1);
        assertThat(await(broker.read(CHANNEL, null, 10)).messages()).extracting(m -> m.payload().asText())
                .containsExactly("over TLS");
        assertThatThrownBy(() -> RedisBroker.create(RedisBrokerConfig.of(redis.uri())))
                .as("an untrusted certificate is refused")
                .isInstanceOf(HeraldUnavailableException.class)
                .hasMessageNotContaining("tls-s3cret");
    }

    /** Records messages and interruptions, and lets a test wait for them. Thread-safe. */
    private static final class Listener implements BrokerListener {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<Message> messages = new ArrayList<>();
        private final List<ChannelId> interrupted = new ArrayList<>();

        @Override
        public void onMessage(Message message) {
            update(() -> messages.add(message));
        }

        @Override
        public void onDeliveryInterrupted(ChannelId channel) {
            update(() -> interrupted.add(channel));
        }

        private void update(Runnable change) {
            lock.lock();
            try {
                change.run();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        List<ChannelId> interrupted() {
            lock.lock();
            try {
                return List.copyOf(interrupted);
            } finally {
                lock.unlock();
            }
        }

        List<Message> awaitMessages(int n) {
            awaitCondition(n + " messages", () -> messages.size() >= n);
            lock.lock();
            try {
                return List.copyOf(messages);
            } finally {
                lock.unlock();
            }
        }

        void awaitInterrupted(ChannelId channel) {
            awaitCondition("onDeliveryInterrupted(" + channel + ")", () -> interrupted.contains(channel));
        }

        private void awaitCondition(String what, BooleanSupplier condition) {
            lock.lock();
            try {
                long remaining = TIMEOUT.toNanos();
                while (!condition.getAsBoolean()) {
                    if (remaining <= 0) {
                        throw new AssertionError("no " + what + " within " + TIMEOUT);
                    }
                    remaining = changed.awaitNanos(remaining);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                lock.unlock();
            }
        }
    }
}
