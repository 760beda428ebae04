package dev.herald.server.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Starts Herald nodes in parallel, and prints every node's log tail when a test fails. */
final class ClusterFixture implements TestWatcher {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<HeraldProcess> nodes = new ArrayList<>();

    /** Starts one node per name, in parallel, each with {@code args}. */
    synchronized List<HeraldProcess> start(List<String> names, String... args) {
        List<CompletableFuture<HeraldProcess>> starting = new ArrayList<>();
        for (String name : names) {
            starting.add(CompletableFuture.supplyAsync(() -> HeraldProcess.start(name, args)));
        }
        List<HeraldProcess> started = new ArrayList<>();
        for (CompletableFuture<HeraldProcess> future : starting) {
            started.add(future.join());
        }
        nodes.addAll(started);
        return started;
    }

    synchronized HeraldProcess start(String name, String... args) {
        return start(List.of(name), args).get(0);
    }

    synchronized void closeAll() {
        nodes.forEach(HeraldProcess::close);
        nodes.clear();
    }

    @Override
    public synchronized void testFailed(ExtensionContext context, Throwable cause) {
        for (HeraldProcess node : nodes) {
            System.err.println(node.logTail());
        }
    }

    /** Polls {@code condition} until it holds, failing after {@link #TIMEOUT}. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
