package dev.herald.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.core.Message;
import dev.herald.core.Reset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The JSON bodies Herald sends over HTTP, written with Jackson's streaming API. A message's JSON object is encoded
 * once ({@link #MESSAGE}) and spliced into every poll response that carries it.
 */
public final class Json {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

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
     * A poll or history answer: {@code {"messages":[…],"resets":[…],"cursor":…}} plus {@code "more"} when given.
     */
    public static byte[] page(List<Message> messages, List<Reset> resets, String cursor, @Nullable Boolean more) {
        byte[] tail = write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("resets");
            for (Reset reset : resets) {
                reset(g, reset);
            }
            g.writeEndArray();
            g.writeStringField("cursor", cursor);
            if (more != null) {
                g.writeBooleanField("more", more);
            }
            g.writeEndObject();
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream(tail.length + 16 + 160 * messages.size());
        out.writeBytes(ascii("{\"messages\":["));
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(messages.get(i).encoded(MESSAGE));
        }
        out.writeBytes(ascii("],"));
        out.write(tail, 1, tail.length - 1);   // the tail's fields, without its opening brace
        return out.toByteArray();
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
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Writes with a generator. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator generator) throws IOException;
    }
}
