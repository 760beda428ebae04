package dev.herald.server.websocket;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.core.ChannelId;
import dev.herald.core.MalformedCursorException;
import dev.herald.core.Member;
import dev.herald.core.Message;
import dev.herald.core.Payload;
import dev.herald.core.PresenceEvent;
import dev.herald.core.PublishOptions;
import dev.herald.core.Reset;
import dev.herald.core.StreamPosition;
import dev.herald.server.internal.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Herald's WebSocket wire format (docs/protocol.md, "WebSocket"): client frames in, {@link ClientCommand}s out;
 * server frames as bytes. Pure: no I/O, no Netty. Thread-safe (stateless).
 *
 * <p>Text frames are one JSON object each, with a {@code type}. A binary frame is a 2-byte big-endian header
 * length {@code N}, {@code N} bytes of UTF-8 JSON header (the same object a text frame would carry, minus
 * {@code data}), then the payload's raw bytes — so binary payloads travel without base64's third more bytes.
 */
final class WebSocketCodec {

    /** A server frame: its bytes and whether it goes as a binary frame. */
    record Encoded(boolean binary, byte[] bytes) {
        /** The bytes as UTF-8 text, for a text frame (logs, tests). */
        String text() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A message as a {@code message} frame, encoded once per message and shared by every WebSocket subscriber. */
    static final Message.Encoding<Encoded> MESSAGE = Message.Encoding.create(WebSocketCodec::message);

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private WebSocketCodec() {
    }

    // --- client → server ---------------------------------------------------------------------------------------------

    /** Parses a text frame; throws {@link WebSocketProblem} saying what is wrong. */
    static ClientCommand parseText(byte[] utf8, int maxPayloadBytes) {
        Fields fields = fields(utf8, 0, utf8.length);
        return command(fields, null, maxPayloadBytes);
    }

    /** Parses a binary frame: header length, JSON header (a {@code publish}), payload. */
    static ClientCommand parseBinary(byte[] frame, int maxPayloadBytes) {
        if (frame.length < 2) {
            throw new WebSocketProblem("invalid_frame", "a binary frame starts with a 2-byte header length");
        }
        int headerLength = ((frame[0] & 0xff) << 8) | (frame[1] & 0xff);
        if (headerLength == 0 || headerLength > frame.length - 2) {
            throw new WebSocketProblem("invalid_frame", "the binary frame's header length is " + headerLength
                    + " but the frame holds " + (frame.length - 2) + " bytes after it");
        }
        Fields fields = fields(frame, 2, headerLength);
        if (fields.type != null && !fields.type.equals("publish")) {
            throw new WebSocketProblem("invalid_frame", "a binary frame carries a publish, not '"
                    + abbreviate(fields.type) + "'", fields.ref, null);
        }
        if (fields.hasData) {
            throw new WebSocketProblem("invalid_field", "a binary publish carries its data after the header, not "
                    + "in it", fields.ref, null);
        }
        byte[] payload = Arrays.copyOfRange(frame, 2 + headerLength, frame.length);
        return command(fields, payload, maxPayloadBytes);
    }

    private static ClientCommand command(Fields f, byte @Nullable [] binary, int maxPayloadBytes) {
        if (f.refProblem != null) {
            throw new WebSocketProblem("invalid_field", f.refProblem);
        }
        Object ref = f.ref;
        if (f.fieldProblem != null) {
            throw new WebSocketProblem("invalid_field", f.fieldProblem, ref, null);
        }
        if (f.type == null && binary == null) {
            throw new WebSocketProblem("missing_field", "a frame needs a type", ref, null);
        }
        String type = binary != null ? "publish" : f.type;
        switch (type) {
            case "subscribe" -> {
                ChannelId channel = channel(f, type, ref);
                StreamPosition after = null;
                if (f.after != null) {
                    try {
                        after = StreamPosition.parse(f.after);
                    } catch (MalformedCursorException e) {
                        throw new WebSocketProblem("invalid_cursor", e.getMessage(), ref, channel);
                    }
                }
                return new ClientCommand.Subscribe(ref, channel, after, Boolean.TRUE.equals(f.presence));
            }
            case "unsubscribe" -> {
                return new ClientCommand.Unsubscribe(ref, channel(f, type, ref));
            }
            case "publish" -> {
                ChannelId channel = channel(f, type, ref);
                String eventProblem = PublishOptions.eventProblem(f.event);
                if (eventProblem != null) {
                    throw new WebSocketProblem("invalid_event", eventProblem, ref, channel);
                }
                Payload payload = payload(f, binary, ref, channel);
                if (payload.size() == 0) {
                    throw new WebSocketProblem("empty_data", "the message data must not be empty", ref, channel);
                }
                if (payload.size() > maxPayloadBytes) {
                    throw new WebSocketProblem("payload_too_large", "the data is " + payload.size()
                            + " bytes; at most " + maxPayloadBytes + " are allowed", ref, channel);
                }
                return new ClientCommand.Publish(ref, channel, payload, f.event, Boolean.TRUE.equals(f.ephemeral));
            }
            case "ping" -> {
                return new ClientCommand.Ping(ref);
            }
            default -> throw new WebSocketProblem("unknown_type", "unknown frame type '" + abbreviate(type)
                    + "'; expected subscribe, unsubscribe, publish or ping", ref, null);
        }
    }

    private static ChannelId channel(Fields f, String type, @Nullable Object ref) {
        if (f.channel == null) {
            throw new WebSocketProblem("missing_field", "a " + type + " needs a channel", ref, null);
        }
        String problem = ChannelId.problem(f.channel);
        if (problem != null) {
            throw new WebSocketProblem("invalid_channel", problem, ref, null);
        }
        return ChannelId.of(f.channel);
    }

    private static Payload payload(Fields f, byte @Nullable [] binary, @Nullable Object ref, ChannelId channel) {
        if (binary != null) {
            return Payload.binary(binary);
        }
        if (f.dataJson != null) {
            return Payload.utf8(Payload.Kind.JSON, f.dataJson);
        }
        if (f.dataText == null) {
            throw new WebSocketProblem("missing_field", "a publish needs data", ref, channel);
        }
        String text = f.dataText;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // A lone \\uD800 escape is valid JSON but no Unicode text; refusing beats silently replacing it.
                throw new WebSocketProblem("invalid_data", "data has an unpaired surrogate at index " + i
                        + "; text must be valid Unicode", ref, channel);
            }
        }
        return Payload.text(text);
    }

    /** The fields Herald reads, collected before any is checked, so an error can echo the {@code ref}. */
    private static final class Fields {
        @Nullable String type;
        @Nullable Object ref;
        @Nullable String refProblem;
        @Nullable String fieldProblem;
        @Nullable String channel;
        @Nullable String after;
        @Nullable Boolean presence;
        boolean hasData;
        @Nullable String dataText;
        byte @Nullable [] dataJson;
        @Nullable String event;
        @Nullable Boolean ephemeral;
    }

    private static Fields fields(byte[] bytes, int offset, int length) {
        Fields f = new Fields();
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new WebSocketProblem("invalid_json", "a frame must hold one JSON object");
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> f.type = string(p, value, f, "type", false);
                    case "ref" -> ref(p, value, f);
                    case "channel" -> f.channel = string(p, value, f, "channel", false);
                    case "after" -> f.after = string(p, value, f, "after", true);
                    case "event" -> f.event = string(p, value, f, "event", true);
                    case "presence" -> f.presence = bool(value, f, "presence");
                    case "ephemeral" -> f.ephemeral = bool(value, f, "ephemeral");
                    case "data" -> {
                        f.hasData = true;
                        if (value == JsonToken.VALUE_STRING) {
                            f.dataText = p.getText();
                            f.dataJson = null;
                        } else {
                            // Any other JSON value is a JSON payload, kept byte for byte as the client wrote it.
                            int start = (int) p.currentTokenLocation().getByteOffset();
                            p.skipChildren();
                            int end = (int) p.currentLocation().getByteOffset();
                            f.dataJson = Arrays.copyOfRange(bytes, offset + start, offset + end);
                            f.dataText = null;
                        }
                    }
                    default -> p.skipChildren();   // unknown fields are ignored, so clients can send newer ones
                }
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new WebSocketProblem("invalid_json", "a frame must hold exactly one JSON object", f.ref, null);
            }
        } catch (JsonProcessingException e) {
            throw new WebSocketProblem("invalid_json", "not valid JSON: " + e.getOriginalMessage(), f.ref, null);
        } catch (IOException e) {
            throw new WebSocketProblem("invalid_json", "not valid JSON: " + e.getMessage(), f.ref, null);
        }
        return f;
    }

    private static @Nullable String string(JsonParser p, JsonToken value, Fields f, String name, boolean nullable)
            throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (!(nullable && value == JsonToken.VALUE_NULL)) {
            problem(f, name + " must be a string");
            p.skipChildren();
        }
        return null;
    }

    private static @Nullable Boolean bool(JsonToken value, Fields f, String name) {
        if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
            return value == JsonToken.VALUE_TRUE;
        }
        if (value != JsonToken.VALUE_NULL) {
            problem(f, name + " must be true or false");
        }
        return null;
    }

    private static void ref(JsonParser p, JsonToken value, Fields f) throws IOException {
        if (value == JsonToken.VALUE_STRING && p.getTextLength() <= ClientCommand.MAX_REF_LENGTH) {
            f.ref = p.getText();
        } else if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                || value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.LONG) {
            f.ref = p.getLongValue();
        } else {
            f.refProblem = "ref must be a string of at most " + ClientCommand.MAX_REF_LENGTH
                    + " characters or an integer";
            p.skipChildren();
        }
    }

    private static void problem(Fields f, String problem) {
        if (f.fieldProblem == null) {
            f.fieldProblem = problem;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 32 ? text : text.substring(0, 29) + "...";
    }

    // --- server → client ---------------------------------------------------------------------------------------------

    /** The first frame on every connection: who it is and the limits it runs under. */
    static byte[] connected(Member member, long pingIntervalMillis, long pingTimeoutMillis, int maxMessageBytes,
                            int maxSubscriptions) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "connected");
            g.writeStringField("connection", member.connectionId());
            g.writeStringField("client", member.clientId());
            g.writeNumberField("pingInterval", pingIntervalMillis);
            g.writeNumberField("pingTimeout", pingTimeoutMillis);
            g.writeNumberField("maxMessageSize", maxMessageBytes);
            g.writeNumberField("maxSubscriptions", maxSubscriptions);
            g.writeEndObject();
        });
    }

    /** The answer to a {@code subscribe}: where the subscription starts. */
    static byte[] subscribed(@Nullable Object ref, ChannelId channel, StreamPosition position) {
        return Json.write(g -> {
            ackStart(g, ref, channel);
            g.writeStringField("position", position.toString());
            g.writeEndObject();
        });
    }

    /** The answer to a {@code publish}: the message's id, or {@code "ephemeral":true}. */
    static byte[] published(@Nullable Object ref, ChannelId channel, @Nullable StreamPosition id) {
        return Json.write(g -> {
            ackStart(g, ref, channel);
            if (id == null) {
                g.writeBooleanField("ephemeral", true);
            } else {
                g.writeStringField("id", id.toString());
            }
            g.writeEndObject();
        });
    }

    /** The answer to an {@code unsubscribe}. */
    static byte[] unsubscribed(@Nullable Object ref, ChannelId channel) {
        return Json.write(g -> {
            ackStart(g, ref, channel);
            g.writeEndObject();
        });
    }

    private static void ackStart(JsonGenerator g, @Nullable Object ref, ChannelId channel) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "ack");
        writeRef(g, ref);
        g.writeStringField("channel", channel.value());
    }

    static byte[] error(WebSocketProblem problem) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            writeRef(g, problem.ref());
            g.writeStringField("error", problem.code());
            g.writeStringField("message", problem.getMessage());
            if (problem.channel() != null) {
                g.writeStringField("channel", problem.channel().value());
            }
            g.writeEndObject();
        });
    }

    static byte[] pong(@Nullable Object ref) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "pong");
            writeRef(g, ref);
            g.writeEndObject();
        });
    }

    static byte[] reset(Reset reset) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "reset");
            g.writeStringField("channel", reset.channel().value());
            g.writeStringField("reason", reset.reason().wireName());
            g.writeStringField("position", reset.position().toString());
            g.writeEndObject();
        });
    }

    static byte[] presence(PresenceEvent event) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "presence");
            g.writeStringField("channel", event.channel().value());
            g.writeStringField("action", event.action().wireName());
            if (event.action() == PresenceEvent.Action.SYNC) {
                g.writeArrayFieldStart("members");
                for (Member member : event.members()) {
                    member(g, member);
                }
                g.writeEndArray();
            } else {
                g.writeFieldName("member");
                member(g, event.member());
            }
            g.writeEndObject();
        });
    }

    private static void member(JsonGenerator g, Member member) throws IOException {
        g.writeStartObject();
        g.writeStringField("connection", member.connectionId());
        g.writeStringField("client", member.clientId());
        g.writeEndObject();
    }

    private static void writeRef(JsonGenerator g, @Nullable Object ref) throws IOException {
        if (ref instanceof String text) {
            g.writeStringField("ref", text);
        } else if (ref instanceof Long number) {
            g.writeNumberField("ref", number);
        }
    }

    private static Encoded message(Message m) {
        Payload payload = m.payload();
        if (!payload.isBinary()) {
            return new Encoded(false, Json.write(g -> {
                messageFields(g, m);
                if (payload.kind() == Payload.Kind.JSON) {
                    g.writeFieldName("data");
                    g.writeRawValue(payload.asText());
                } else {
                    g.writeStringField("data", payload.asText());
                }
                g.writeNumberField("time", m.publishedAtMillis());
                g.writeEndObject();
            }));
        }
        byte[] header = Json.write(g -> {
            messageFields(g, m);
            g.writeNumberField("time", m.publishedAtMillis());
            g.writeEndObject();
        });
        ByteBuffer data = payload.buffer();
        byte[] frame = new byte[2 + header.length + data.remaining()];
        frame[0] = (byte) (header.length >>> 8);
        frame[1] = (byte) header.length;
        System.arraycopy(header, 0, frame, 2, header.length);
        data.get(frame, 2 + header.length, data.remaining());
        return new Encoded(true, frame);
    }

    private static void messageFields(JsonGenerator g, Message m) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "message");
        g.writeStringField("channel", m.channel().value());
        if (m.ephemeral()) {
            g.writeBooleanField("ephemeral", true);
        } else {
            g.writeStringField("id", m.position().toString());
        }
        if (m.event() != null) {
            g.writeStringField("event", m.event());
        }
    }
}
