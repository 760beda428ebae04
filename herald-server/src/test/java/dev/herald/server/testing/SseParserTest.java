package dev.herald.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The integration tests trust {@link SseParser} to read streams the way a browser does, so it is checked against
 * the examples of the WHATWG HTML standard (section 9.2.5, "Parsing an event stream"), verbatim, with every line
 * ending the format allows.
 */
class SseParserTest {

    private final List<SseEvent> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private final List<Long> retries = new ArrayList<>();
    private final SseParser parser = new SseParser(new SseParser.Listener() {
        @Override
        public void onEvent(SseEvent event) {
            events.add(event);
        }

        @Override
        public void onComment(String text) {
            comments.add(text);
        }

        @Override
        public void onRetry(long millis) {
            retries.add(millis);
        }
    });

    private void feed(String stream, String newline) {
        parser.feed(stream.replace("\n", newline).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void multilineDataIsJoinedWithLineFeeds(String newline) {
        feed("""
                data: YHOO
                data: +2
                data: 10

                """, newline);

        assertThat(events).containsExactly(new SseEvent("message", "YHOO\n+2\n10", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void idIsRememberedAndABareIdFieldClearsIt(String newline) {
        feed("""
                : test stream

                data: first event
                id: 1

                data:second event
                id

                data:  third event

                """, newline);

        assertThat(events).containsExactly(
                new SseEvent("message", "first event", "1"),
                new SseEvent("message", "second event", ""),
                new SseEvent("message", " third event", ""));
        assertThat(comments).containsExactly(" test stream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void emptyDataFieldsDispatchAndAnUnfinishedEventDoesNot(String newline) {
        feed("""
                data

                data
                data

                data:""", newline);

        assertThat(events).containsExactly(
                new SseEvent("message", "", ""),
                new SseEvent("message", "\n", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void oneSpaceAfterTheColonIsOptional(String newline) {
        feed("""
                data:test

                data: test

                """, newline);

        assertThat(events).containsExactly(new SseEvent("message", "test", ""), new SseEvent("message", "test", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void eventTypeRetryAndAnIdWithoutDataSetState(String newline) {
        feed("""
                retry: 2000
                id: a-1

                retry: 1x
                event: greet
                data: hi

                """, newline);

        assertThat(retries).containsExactly(2000L);
        assertThat(events).containsExactly(new SseEvent("greet", "hi", "a-1"));
        assertThat(parser.blankLines()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void lineBreaksAndCharactersSplitAcrossReadsAreReassembled(int step) {
        byte[] stream = "\uFEFFdata: 漢字😀\r\ndata: e\u0301\r\rdata: x\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < stream.length; i += step) {
            parser.feed(stream, i, Math.min(step, stream.length - i));
        }

        assertThat(events).containsExactly(
                new SseEvent("message", "漢字😀\ne\u0301", ""),
                new SseEvent("message", "x", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void anIdContainingNulIsIgnored(String newline) {
        feed("id: good\n\nid: b\u0000d\ndata: x\n\n", newline);

        assertThat(events).containsExactly(new SseEvent("message", "x", "good"));
    }
}
