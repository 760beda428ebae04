package dev.herald.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Herald's Lua scripts, read once from {@code dev/herald/redis/*.lua} (each prefixed with {@code lib.lua}, the
 * presence scripts also with {@code presence_lib.lua}) and run
 * with {@code EVALSHA}. The SHA-1 is computed here, so starting needs no round trip; a server that does not know a
 * script (first use, restart, {@code SCRIPT FLUSH}) answers {@code NOSCRIPT}, and the script is sent once with
 * {@code EVAL}, which also caches it. Retrying after {@code NOSCRIPT} is safe: the script did not run. Immutable.
 */
enum LuaScripts {
    PUBLISH("publish.lua"),
    READ("read.lua"),
    PRESENCE_JOIN("presence_lib.lua", "presence_join.lua"),
    PRESENCE_LEAVE("presence_lib.lua", "presence_leave.lua"),
    PRESENCE_MEMBERS("presence_lib.lua", "presence_members.lua"),
    PRESENCE_REFRESH("presence_lib.lua", "presence_refresh.lua"),
    PRESENCE_SWEEP("presence_lib.lua", "presence_sweep.lua");

    private final byte[] body;
    private final String sha;

    LuaScripts(String... files) {
        StringBuilder text = new StringBuilder(resource("lib.lua"));
        for (String file : files) {
            text.append('\n').append(resource(file));
        }
        this.body = text.toString().getBytes(StandardCharsets.UTF_8);
        this.sha = sha1(body);
    }

    /** Runs the script; the future completes on a Lettuce I/O thread. */
    CompletableFuture<List<Object>> run(RedisAsyncCommands<byte[], byte[]> redis, byte[][] keys, byte[]... args) {
        return redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                .exceptionallyCompose(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof RedisNoScriptException) {
                        return redis.<List<Object>>eval(body, ScriptOutputType.MULTI, keys, args)
                                .toCompletableFuture();
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    String sha() {
        return sha;
    }

    private static String resource(String name) {
        try (InputStream in = LuaScripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource dev/herald/redis/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-1", e);
        }
    }
}
