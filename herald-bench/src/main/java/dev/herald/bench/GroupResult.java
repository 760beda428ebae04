package dev.herald.bench;

import java.util.List;

/**
 * What one group of subscribers (one process) saw; workers print it as JSON. {@code histogram} is the latency
 * histogram (microseconds) in HdrHistogram's compressed base64 form.
 */
public record GroupResult(
        int subscribers,
        int connected,
        int connectFailed,
        long connectNanos,
        long delivered,
        long bytesIn,
        long bytesOut,
        long requests,
        long reconnects,
        long disconnects,
        long duplicates,
        long outOfOrder,
        long missing,
        long unexpected,
        long resets,
        int subscribersWithProblems,
        List<String> problemExamples,
        String histogram) {
}
