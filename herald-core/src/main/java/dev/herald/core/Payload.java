package dev.herald.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The body of a message, immutable. A payload is {@link Kind#TEXT} (UTF-8), {@link Kind#JSON} (UTF-8 holding one
 * JSON value; the publishing edge checks that) or {@link Kind#BINARY} (arbitrary bytes). Text and JSON are handed
 * to every subscriber exactly as published; binary is handed as bytes where the wire can carry them and as
 * base64 where it cannot.
 */
public final class Payload {

    /** How the bytes are meant to be read. */
    public enum Kind { TEXT, JSON, BINARY }

    private final Kind kind;
    private final byte[] bytes;

    private Payload(Kind kind, byte[] bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    /** A text payload. */
    public static Payload text(String text) {
        return new Payload(Kind.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A text or JSON payload from UTF-8 bytes, copied. Throws {@link IllegalArgumentException} when the bytes are
     * not well-formed UTF-8: a payload that later turns into an SSE {@code data:} line or a JSON string must be text.
     */
    public static Payload utf8(Kind kind, byte[] utf8) {
        if (kind == Kind.BINARY) {
            throw new IllegalArgumentException("kind must be TEXT or JSON, not BINARY");
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("body is not valid UTF-8", e);
        }
        return new Payload(kind, utf8.clone());
    }

    /** A binary payload, copied. */
    public static Payload binary(byte[] bytes) {
        return new Payload(Kind.BINARY, bytes.clone());
    }

    public Kind kind() {
        return kind;
    }

    public boolean isBinary() {
        return kind == Kind.BINARY;
    }

    /** Size in bytes. */
    public int size() {
        return bytes.length;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes as a read-only view, without copying. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The payload as text: the UTF-8 text itself, or base64 (RFC 4648, with padding) for a binary payload. */
    public String asText() {
        return kind == Kind.BINARY ? Base64.getEncoder().encodeToString(bytes) : new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload other && kind == other.kind && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Payload[" + kind + ", " + bytes.length + " bytes]";
    }
}
