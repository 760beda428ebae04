package dev.herald.bench;

/**
 * What one group of subscribers does; sent to worker processes as JSON. Subscriber {@code i} (from 0) reads
 * channel {@code channelPrefix + (i % channels)}.
 *
 * @param kind               the server under test
 * @param host               server host (loopback)
 * @param port               server port
 * @param transport          how subscribers receive
 * @param channels           channels across all subscribers
 * @param channelPrefix      unique per run, so every channel starts empty at sequence 1
 * @param pollIntervalMillis short-poll interval
 * @param pollTimeoutSeconds long-poll hold time asked of the server
 * @param clientThreads      Netty event loops per process
 * @param connectConcurrency connection attempts in flight per process
 * @param sourceAddresses    spread connections over 127.0.0.1..N as source address (more ephemeral ports)
 * @param progressMillis     how often a worker reports its delivered count
 */
public record RunSpec(
        ServerKind kind,
        String host,
        int port,
        Transport transport,
        int channels,
        String channelPrefix,
        int pollIntervalMillis,
        int pollTimeoutSeconds,
        int clientThreads,
        int connectConcurrency,
        int sourceAddresses,
        int progressMillis) {

    public String channel(int subscriber) {
        return channelPrefix + (subscriber % channels);
    }
}
