package dev.herald.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.ChannelId;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PublishOptions;
import dev.herald.core.StreamPosition;
import dev.herald.server.testing.SseEvent;
import dev.herald.server.testing.SseParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseFormatTest {

    private static final ChannelId NEWS = ChannelId.of("news");
    private static final StreamPosition AT_42 = new StreamPosition("lz514pry85", 42);

    @Test
    void encodesIdEventAndDataAsInTheProtocolDocument() {
        assertThat(SseFormat.event("lz514pry85-42", "greet", "first line\nsecond line")).isEqualTo("""
                id: lz514pry85-42
                event: greet
                data: first line
                data: second line

                """);
    }

    @Test
    void omitsIdAndEventWhenAbsent() {
        assertThat(SseFormat.event(null, null, "YHOO")).isEqualTo("data: YHOO\n\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void splitsEveryKindOfLineBreakIntoDataLines(String newline) {
        String payload = "YHOO" + newline + "+2" + newline + "10";

        assertThat(SseFormat.event(null, null, payload)).isEqualTo("""
                data: YHOO
                data: +2
                data: 10

                """);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void keepsATrailingLineBreakAsAnEmptyDataLine(String newline) {
        assertThat(SseFormat.event(null, null, "last" + newline)).isEqualTo("""
                data: last
                data:\s

                """);
    }

    @Test
    void countsLineFeedThenCarriageReturnAsTwoBreaks() {
        assertThat(SseFormat.event(null, null, "a\n\rb")).isEqualTo("data: a\ndata: \ndata: b\n\n");
    }

    @Test
    void encodesEmptyDataAsOneEmptyDataLine() {
        assertThat(SseFormat.event(null, null, "")).isEqualTo("data: \n\n");
    }

    @Test
    void writesPreambleAndKeepAliveExactly() {
        assertThat(new String(SseFormat.preamble(2000, "lz514pry85-41"), StandardCharsets.UTF_8))
                .isEqualTo("retry: 2000\nid: lz514pry85-41\n\n");
        assertThat(new String(SseFormat.keepAlive(), StandardCharsets.UTF_8)).isEqualTo(": keep-alive\n\n");
        assertThat(new String(SseFormat.idLine("a-1,b-2"), StandardCharsets.UTF_8)).isEqualTo("id: a-1,b-2\n");
    }

    @Test
    void sharedMessageEncodingsCarryTheMessagePositionOnlyWhenAsked() {
        Message message = Message.create(NEWS, AT_42, 0, PublishOptions.event("greet"), Payload.text("hi\nthere"));

        assertThat(new String(message.encoded(SseFormat.WITH_ID), StandardCharsets.UTF_8))
                .isEqualTo("id: lz514pry85-42\nevent: greet\ndata: hi\ndata: there\n\n");
        assertThat(new String(message.encoded(SseFormat.BODY), StandardCharsets.UTF_8))
                .isEqualTo("event: greet\ndata: hi\ndata: there\n\n");
        assertThat(message.encoded(SseFormat.WITH_ID)).isSameAs(message.encoded(SseFormat.WITH_ID));
    }

    @Test
    void encodesBinaryPayloadAsOneLineOfBase64() {
        Message message = Message.create(NEWS, AT_42, 0, PublishOptions.DEFAULT,
                Payload.binary(new byte[] {0, '\n', '\r', (byte) 0xff}));

        assertThat(new String(message.encoded(SseFormat.BODY), StandardCharsets.UTF_8)).isEqualTo("data: AAoN/w==\n\n");
    }

    @Test
    void encodesUtf8() {
        assertThat(SseFormat.bytes(null, null, "漢字😀e\u0301"))
                .isEqualTo("data: 漢字😀e\u0301\n\n".getBytes(StandardCharsets.UTF_8));
    }

    /** What an {@code EventSource} hands the application is the payload, with CR and CR LF turned into LF. */
    @ParameterizedTest
    @ValueSource(strings = {
            "plain", "", " leading space", "  two leading spaces", "trailing space ", ": looks like a comment",
            "data: looks like a field", "id: 7", "\n", "\n\n", "a\n", "\na", "a\r\nb", "a\rb", "a\r\n", "a\r",
            "a\n\rb", "a\r\r\nb", "漢字\n😀\r\ne\u0301", "tab\tand\u2028separator", "nul\u0000inside", "\uFEFFbom"})
    void roundTripsThroughABrowsersParser(String payload) {
        List<SseEvent> events = new ArrayList<>();
        new SseParser(events::add).feed(SseFormat.bytes("x-1", "greet", payload));

        String expected = payload.replace("\r\n", "\n").replace('\r', '\n');
        assertThat(events).containsExactly(new SseEvent("greet", expected, "x-1"));
    }
}
