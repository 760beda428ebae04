package dev.herald.server.websocket;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket client on a plain socket, for what a well-behaved client library will not do: send broken frames,
 * unmasked frames, invalid UTF-8, or stop answering pings altogether. Not thread-safe; one test thread drives it.
 */
final class RawWebSocket implements AutoCloseable {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** One frame from the server; {@code rsv} holds its RSV bits (0x40: compressed). */
    record Frame(int opcode, boolean fin, int rsv, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1. */
        int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String responseHead;

    private RawWebSocket(Socket socket, String responseHead) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.responseHead = responseHead;
    }

    /**
     * Sends an upgrade request for {@code target} with the extra header lines, and reads the response head. The
     * result is open when the status is 101; otherwise {@link #responseHead()} and {@link #readBody()} tell why.
     */
    static RawWebSocket open(int port, String target, String... extraHeaderLines) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
            if (Arrays.stream(extraHeaderLines).noneMatch(h -> h.toLowerCase().startsWith("sec-websocket-version"))) {
                request.append("Sec-WebSocket-Version: 13\r\n");
            }
            for (String line : extraHeaderLines) {
                request.append(line).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed in the response head: " + head);
                }
                head.write(b);
            }
            return new RawWebSocket(socket, head.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String responseHead() {
        return responseHead;
    }

    int status() {
        return Integer.parseInt(responseHead.split(" ", 3)[1]);
    }

    /** The body of a non-101 response, by its Content-Length. */
    String readBody() throws IOException {
        int length = 0;
        for (String line : responseHead.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Sends one frame, masked as a client must (unless {@code masked} is false, which breaks the protocol). */
    void send(int opcode, boolean fin, byte[] payload, boolean masked) throws IOException {
        send(opcode, fin, 0, payload, masked);
    }

    /** Sends one frame with the given RSV bits (0x40 is RSV1, "compressed" under permessage-deflate). */
    void send(int opcode, boolean fin, int rsv, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | rsv | opcode);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(mask | payload.length);
        } else if (payload.length < 65536) {
            frame.write(mask | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
            frame.write(key);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= key[i % 4];
            }
        }
        frame.write(body);
        out.write(frame.toByteArray());
        out.flush();
    }

    void sendText(String text) throws IOException {
        send(TEXT, true, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** The next frame, or null when the server closed the connection; fails after 20 s of silence. */
    @Nullable Frame read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.read();
        if (b1 < 0) {
            return null;
        }
        long length = b1 & 0x7f;
        if (length == 126) {
            length = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (in.read() & 0xff);
            }
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server masked a frame");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            return null;
        }
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, b0 & 0x70, payload);
    }

    /** Reads frames until a close frame (returned) or the end of the connection (null); pings are not answered. */
    @Nullable Frame readUntilClose() throws IOException {
        while (true) {
            Frame frame;
            try {
                frame = read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no close within 20 s", e);
            } catch (IOException e) {
                return null;   // reset by the server
            }
            if (frame == null || frame.opcode() == CLOSE) {
                return frame;
            }
        }
    }

    /** Whether the server closed the TCP connection: reads to the end, failing after 20 s. */
    boolean awaitEnd() throws IOException {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // ignore
        }
    }
}
