package dev.herald.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Each feed, run tick by tick against a recording publisher: no threads, no clock but a fixed one. */
class DemoFeedsTest {

    private record Published(String channel, String json, @Nullable String event) {
    }

    private final List<Published> published = new ArrayList<>();
    private final DemoPublishers.Publisher recorder = (channel, json, event) ->
            published.add(new Published(channel, json, event));
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_795_258_994_199L), ZoneOffset.UTC);
    private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");

    @Test
    void tokenStreamPublishesStartThenEveryTokenThenEnd() {
        TokenStream stream = new TokenStream(recorder, random);
        stream.run();
        assertThat(published).singleElement().satisfies(p -> {
            assertThat(p.channel()).isEqualTo(DemoPublishers.TOKENS);
            assertThat(p.event()).isEqualTo("start");
            assertThat(p.json()).startsWith("{\"answer\":1,\"prompt\":\"");
        });
        while (!"end".equals(published.getLast().event())) {
            stream.run();
        }
        List<Published> tokens = published.subList(1, published.size() - 1);
        assertThat(tokens).allSatisfy(p -> assertThat(p.event()).isEqualTo("token"));
        assertThat(tokens.getFirst().json()).startsWith("{\"answer\":1,\"i\":0,\"text\":");
        assertThat(published.getLast().json()).isEqualTo("{\"answer\":1,\"tokens\":" + tokens.size() + "}");
        stream.run();
        assertThat(published.getLast().event()).isEqualTo("start");
        assertThat(published.getLast().json()).startsWith("{\"answer\":2,");
    }

    @Test
    void tokenizeKeepsTheTextAndItsSpacesInPiecesOfAtMostSixCharacters() {
        String text = "Full jitter picks each reconnect delay at random, between zero and a cap.";
        List<String> tokens = TokenStream.tokenize(text);
        assertThat(String.join("", tokens)).isEqualTo(text);
        assertThat(tokens).allSatisfy(t -> assertThat(t).hasSizeBetween(1, 6));
        assertThat(tokens).startsWith("Full", " jitte", "r", " picks");
        assertThat(tokens).contains(",", ".");
    }

    @Test
    void metricsAreOneJsonObjectPerTickWithTheServersRealSubscriptionCount() {
        MetricsFeed feed = new MetricsFeed(recorder, clock, random, () -> 7);
        for (int i = 0; i < 50; i++) {
            feed.run();
        }
        assertThat(published).hasSize(50).allSatisfy(p -> {
            assertThat(p.channel()).isEqualTo(DemoPublishers.METRICS);
            assertThat(p.event()).isNull();
            assertThat(p.json()).matches("\\{\"t\":1795258994199,\"rps\":\\d+,\"p99\":\\d+\\.\\d,"
                    + "\"errors\":\\d+\\.\\d\\d,\"heapMb\":\\d+,\"subscriptions\":7}");
        });
    }

    @Test
    void notificationsAreNumberedAndQuotedAsJson() {
        NotificationFeed feed = new NotificationFeed(recorder, clock, random);
        feed.run();
        feed.run();
        assertThat(published).extracting(Published::channel).containsOnly(DemoPublishers.NOTIFICATIONS);
        assertThat(published.get(0).json()).startsWith("{\"n\":1,\"t\":1795258994199,\"level\":\"");
        assertThat(published.get(1).json()).startsWith("{\"n\":2,");
    }

    @Test
    void quoteEscapesWhatJsonRequires() {
        assertThat(DemoPublishers.quote("a \"b\" \\ c\nd\u0001")).isEqualTo("\"a \\\"b\\\" \\\\ c\\nd\\u0001\"");
    }
}
