package dev.herald.redis;

import dev.herald.core.spi.BrokerContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared broker contract, against a real redis-server process (one for the whole suite). */
class RedisBrokerContractIT extends BrokerContractTest<RedisBroker> {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected RedisBroker newBroker(int historySize) {
        return RedisBroker.create(RedisBrokerConfig.builder(redis.uri()).historySize(historySize).build());
    }
}
