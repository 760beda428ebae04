package dev.herald.redis;

import dev.herald.core.ChannelId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisKeysTest {

    private final RedisKeys keys = RedisKeys.of("herald:");

    @Test
    void putsTheChannelInAHashTagSoItsKeysShareOneClusterSlot() {
        ChannelId channel = ChannelId.of("room:42@eu");

        assertThat(keys.meta(channel)).isEqualTo("herald:{room:42@eu}:meta");
        assertThat(keys.stream(channel)).isEqualTo("herald:{room:42@eu}:stream");
        assertThat(keys.pubSub(channel)).isEqualTo("herald:{room:42@eu}:msg");
    }

    @Test
    void findsTheChannelOfItsOwnPubSubNamesOnly() {
        ChannelId channel = ChannelId.of("news");

        assertThat(keys.channelOfPubSub(keys.pubSub(channel))).isEqualTo(channel);
        assertThat(keys.channelOfPubSub("other:{news}:msg")).isNull();
        assertThat(keys.channelOfPubSub("herald:{news}:meta")).isNull();
        assertThat(keys.channelOfPubSub("herald:{}:msg")).isNull();
        assertThat(keys.channelOfPubSub("herald:{bad name}:msg")).isNull();
        assertThat(keys.channelOfPubSub("herald:")).isNull();
    }

    @Test
    void anEmptyPrefixWorksToo() {
        RedisKeys bare = RedisKeys.of("");
        ChannelId channel = ChannelId.of("a");

        assertThat(bare.pubSub(channel)).isEqualTo("{a}:msg");
        assertThat(bare.channelOfPubSub("{a}:msg")).isEqualTo(channel);
    }
}
