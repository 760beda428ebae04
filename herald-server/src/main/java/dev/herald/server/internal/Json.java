package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import dev.herald.core.Message;
import dev.herald.core.Reset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The JSON bodies Herald sends over HTTP, written with Jackson's streaming API. A message's JSON object is encoded
 * once ({@link #MESSAGE}) and spliced into every poll response that carries it.
 */
public final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final byte[] PAGE_OPEN = ascii("{\"messages\":[");
    private static final byte[] RESETS_FIELD = ascii("],\"resets\":[");
    private static final byte[] CURSOR_FIELD = ascii("],\"cursor\":\"");

    /**
     * {@code {"channel":…,"id":…,"event":…,"data":…,"time":…}} — {@code id} is absent for an ephemeral message
     * (which has {@code "ephemeral":true}), {@code event} when the publisher gave none, and {@code "encoding":"base64"}
     * marks a binary payload whose {@code data} is base64.
     */
    public static final Message.Encoding<byte[]> MESSAGE = Message.Encoding.create(Json::message);

    private Json() {
    }

    private static byte[] message(Message m) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("channel", m.channel().value());
            if (m.ephemeral()) {
                g.writeBooleanField("ephemeral", true);
            } else {
                g.writeStringField("id", m.position().toString());
            }
            if (m.event() != null) {
                g.writeStringField("event", m.event());
            }
            g.writeStringField("data", m.payload().asText());
            if (m.payload().isBinary()) {
                g.writeStringField("encoding", "base64");
            }
            g.writeNumberField("time", m.publishedAtMillis());
            g.writeEndObject();
        });
    }

    /** {@code {"channel":…,"reason":…,"position":…}}. */
    public static void reset(JsonGenerator g, Reset reset) throws IOException {
        g.writeStartObject();
        g.writeStringField("channel", reset.channel().value());
        g.writeStringField("reason", reset.reason().wireName());
        g.writeStringField("position", reset.position().toString());
        g.writeEndObject();
    }

    public static byte[] reset(Reset reset) {
        return write(g -> reset(g, reset));
    }

    /**
     * A poll or history answer, {@code {"messages":[…],"resets":[…],"cursor":…}} plus {@code "more"} when given,
     * written into one buffer from {@code alloc} (the caller sends and so releases it). The messages' encodings are
     * copied in as they are. {@code cursorText} is a {@link dev.herald.core.Cursor}'s text form, which needs no
     * escaping: positions are {@code [0-9a-z-]}, joined by commas.
     */
    public static ByteBuf page(ByteBufAllocator alloc, List<Message> messages, List<Reset> resets, String cursorText,
                               @Nullable Boolean more) {
        int size = PAGE_OPEN.length + RESETS_FIELD.length + CURSOR_FIELD.length + cursorText.length() + 16;
        for (Message message : messages) {
            size += message.encoded(MESSAGE).length + 1;
        }
        ByteBuf out = alloc.buffer(size);
        try {
            out.writeBytes(PAGE_OPEN);
            for (int i = 0; i < messages.size(); i++) {
                if (i > 0) {
                    out.writeByte(',');
                }
                out.writeBytes(messages.get(i).encoded(MESSAGE));
            }
            out.writeBytes(RESETS_FIELD);
            for (int i = 0; i < resets.size(); i++) {
                if (i > 0) {
                    out.writeByte(',');
                }
                out.writeBytes(reset(resets.get(i)));
            }
            out.writeBytes(CURSOR_FIELD);
            out.writeCharSequence(cursorText, StandardCharsets.US_ASCII);
            out.writeByte('"');
            if (more != null) {
                out.writeCharSequence(more ? ",\"more\":true" : ",\"more\":false", StandardCharsets.US_ASCII);
            }
            out.writeByte('}');
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** {@code {"error":code,"message":text}}. */
    public static byte[] error(String code, String message) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("error", code);
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }

    /** Writes any small object with the generator. */
    public static byte[] write(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Returns why {@code body} is not exactly one well-formed JSON value, or {@code null} when it is. */
    public static @Nullable String problem(byte[] body) {
        try (JsonParser parser = FACTORY.createParser(body)) {
            if (parser.nextToken() == null) {
                return "body is empty, not JSON";
            }
            parser.skipChildren();
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                return "body has content after its JSON value, at offset " + parser.currentTokenLocation().getByteOffset();
            }
            return null;
        } catch (IOException e) {
            String message = e.getMessage();
            int newline = message == null ? -1 : message.indexOf('\n');
            return "body is not valid JSON: " + (newline > 0 ? message.substring(0, newline) : message);
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes with a generator. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator generator) throws IOException;
    }
}
