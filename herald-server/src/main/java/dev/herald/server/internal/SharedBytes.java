package dev.herald.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/** Bytes that many connections write, encoded once per message and shared instead of copied per write. */
public final class SharedBytes {

    private SharedBytes() {
    }

    /**
     * {@code bytes} in direct memory (so a socket write needs no copy), reference-counted by its writers'
     * {@code retainedDuplicate()}s around a count of one that is never released, and freed by the garbage collector
     * with whatever caches it (a message's encodings, a constant).
     */
    public static ByteBuf direct(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        return Unpooled.wrappedBuffer(direct);
    }
}
