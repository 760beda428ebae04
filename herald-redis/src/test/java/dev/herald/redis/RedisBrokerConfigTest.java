package dev.herald.redis;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RedisBrokerConfigTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            redis://127.0.0.1:6379                   | redis://127.0.0.1:6379
            redis://:s3cret@127.0.0.1:6379           | redis://:***@127.0.0.1:6379
            redis://alice:s3cret@127.0.0.1:6379/2    | redis://alice:***@127.0.0.1:6379/2
            rediss://s3cret@redis.example:6380       | rediss://***@redis.example:6380
            redis://:pa/ss@wo@rd@127.0.0.1:6379       | redis://:***@127.0.0.1:6379
            redis://alice:p@ss:w/rd@host              | redis://alice:***@host
            """)
    void redactsThePasswordAndNothingElse(String uri, String redacted) {
        assertThat(RedisBrokerConfig.redact(uri)).isEqualTo(redacted);
    }

    @Test
    void toStringNeverShowsThePassword() {
        RedisBrokerConfig config = RedisBrokerConfig.of("redis://alice:s3cret@127.0.0.1:6379");

        assertThat(config.toString()).doesNotContain("s3cret").contains("redis://alice:***@127.0.0.1:6379");
        assertThat(config.redactedUri()).doesNotContain("s3cret");
    }

    @Test
    void refusesSchemesOtherThanRedisAndRedissWithoutEchoingThePassword() {
        assertThatIllegalArgumentException().isThrownBy(() -> RedisBrokerConfig.of("http://:s3cret@host:80"))
                .withMessageContaining("redis:// or rediss://")
                .withMessageNotContaining("s3cret");
        assertThatIllegalArgumentException().isThrownBy(() -> RedisBrokerConfig.of("memory"));
    }

    @Test
    void recognisesRedisUris() {
        assertThat(RedisBrokerConfig.isRedisUri("redis://host")).isTrue();
        assertThat(RedisBrokerConfig.isRedisUri("REDISS://host")).isTrue();
        assertThat(RedisBrokerConfig.isRedisUri("memory")).isFalse();
    }

    @Test
    void defaultsAreDocumentedConstants() {
        RedisBrokerConfig config = RedisBrokerConfig.of("redis://127.0.0.1");

        assertThat(config.keyPrefix()).isEqualTo(RedisKeys.DEFAULT_PREFIX);
        assertThat(config.historySize()).isEqualTo(RedisBrokerConfig.DEFAULT_HISTORY_SIZE);
        assertThat(config.historyAge()).isEqualTo(RedisBrokerConfig.DEFAULT_HISTORY_AGE);
        assertThat(config.commandTimeout()).isEqualTo(RedisBrokerConfig.DEFAULT_COMMAND_TIMEOUT);
        assertThat(config.clock()).isNull();
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void metaTtlIsNeverShorterThanTheHistoryItDescribes() {
        RedisBrokerConfig config = RedisBrokerConfig.builder("redis://127.0.0.1")
                .historyAge(Duration.ofDays(3)).metaTtl(Duration.ofDays(1)).build();

        assertThat(config.effectiveMetaTtl()).isEqualTo(Duration.ofDays(3));
    }

    @Test
    void refusesOutOfRangeSettingsNamingThem() {
        RedisBrokerConfig.Builder builder = RedisBrokerConfig.builder("redis://127.0.0.1");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.historySize(-1).build())
                .withMessageContaining("history size");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.historySize(1).historyAge(Duration.ZERO).build())
                .withMessageContaining("history age");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisBrokerConfig.builder("redis://127.0.0.1").keyPrefix("a b").build())
                .withMessageContaining("key prefix");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisBrokerConfig.builder("redis://127.0.0.1").keyPrefix("{x}").build());
    }
}
