package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HeraldServerConfigTest {

    @Test
    void defaultsAreValidAndRoundTripThroughToBuilder() {
        HeraldServerConfig config = HeraldServerConfig.builder().build();

        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config.maxMessageBytes()).isEqualTo(HeraldServerConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(config.sseKeepAlive()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.pollTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesAnOutboundBoundThatOneLargestMessageWouldOverflow() {
        HeraldServerConfig.Builder builder = HeraldServerConfig.builder()
                .maxMessageBytes(64 * 1024).maxOutboundBytes(64 * 1024);

        assertThatIllegalArgumentException().isThrownBy(builder::build)
                .withMessage("max outbound bytes 65536 must exceed the max message size 65536 by at least 1024"
                        + " (framing)");
        assertThat(builder.maxOutboundBytes(64 * 1024 + 1024).build().maxOutboundBytes()).isEqualTo(66560);
    }

    @Test
    void refusesAPollTimeoutCapBelowTheDefaultTimeout() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HeraldServerConfig.builder()
                        .pollTimeout(Duration.ofSeconds(30)).pollTimeoutMax(Duration.ofSeconds(10)).build())
                .withMessageContaining("poll timeout cap");
    }
}
