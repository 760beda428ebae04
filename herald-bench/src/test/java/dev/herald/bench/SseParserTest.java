package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private final List<String> events = new ArrayList<>();
    private final SseParser parser = new SseParser((reset, data, length) ->
            events.add((reset ? "reset:" : "") + new String(data, 0, length, StandardCharsets.UTF_8)));

    @Test
    void dispatchesDataOnTheBlankLineAndSkipsCommentsAndIds() {
        feed("retry: 2000\nid: e-0\n\n: keep-alive\n\nid: e-1\ndata: 1 55 x\n\n");

        assertThat(events).containsExactly("1 55 x");
    }

    @Test
    void joinsDataLinesWithLf() {
        feed("data: a\ndata: b\n\n");

        assertThat(events).containsExactly("a\nb");
    }

    @Test
    void handlesCrLfAndCrLineBreaks() {
        feed("data: a\r\n\r\ndata: b\r\rdata: c\n\n");

        assertThat(events).containsExactly("a", "b", "c");
    }

    @Test
    void marksResetEvents() {
        feed("id: q-0\nevent: reset\ndata: {}\n\ndata: 2 1 x\n\n");

        assertThat(events).containsExactly("reset:{}", "2 1 x");
    }

    @Test
    void reassemblesLinesSplitAcrossReads() {
        String stream = "id: e-1\ndata: 1 55 x\r\n\r\ndata: 2 56 y\n\n";
        for (int i = 0; i < stream.length(); i++) {
            feed(stream.substring(i, i + 1));
        }

        assertThat(events).containsExactly("1 55 x", "2 56 y");
    }

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        parser.feed(bytes, 0, bytes.length);
    }
}
