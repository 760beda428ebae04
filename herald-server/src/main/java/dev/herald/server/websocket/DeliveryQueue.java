package dev.herald.server.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * Vyukov's intrusive multi-producer, single-consumer linked queue, holding a connection's pending deliveries.
 *
 * <p>Concurrency: {@link #offer} from any thread, lock-free (one atomic swap of the tail); {@link #poll},
 * {@link #isEmpty} and {@link #clear} from the one consumer thread only (the connection's event loop).
 *
 * <p>Ordering: FIFO per producer, and a single linearisable order across producers (the order of their swaps).
 * While a producer is between its swap and its link, {@link #poll} may report nothing although that delivery is
 * on its way; the producer signals the consumer after {@code offer} returns, so nothing is left behind.
 *
 * <p>Memory: an empty queue is one node — JCTools' padded array queues cost over 500 bytes per idle connection —
 * and an offer allocates exactly one node, which is the delivery itself. A polled node stays in the queue as its
 * stub: the consumer must {@link Delivery#clear()} it once it has taken its fields, so the stub holds nothing.
 */
final class DeliveryQueue<S> {

    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(DeliveryQueue.class, "tail", Delivery.class);
            NEXT = MethodHandles.lookup().findVarHandle(Delivery.class, "next", Delivery.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * One delivery: for {@code sink}, {@code item}, counting {@code size} (bytes, or below zero one replay entry).
     * Also its own queue node.
     */
    static final class Delivery<S> {
        @Nullable S sink;
        @Nullable Object item;
        final long size;
        @SuppressWarnings("unused")   // through NEXT
        private volatile @Nullable Delivery<S> next;

        Delivery(@Nullable S sink, @Nullable Object item, long size) {
            this.sink = sink;
            this.item = item;
            this.size = size;
        }

        /** Drops the references of a taken delivery. */
        void clear() {
            sink = null;
            item = null;
        }
    }

    @SuppressWarnings("unused")   // through TAIL
    private volatile Delivery<S> tail;
    private Delivery<S> head;   // consumer only: the stub, i.e. the last node taken

    DeliveryQueue() {
        Delivery<S> stub = new Delivery<>(null, null, 0);
        head = stub;
        tail = stub;
    }

    /** Appends; any thread. */
    void offer(S sink, Object item, long size) {
        Delivery<S> node = new Delivery<>(sink, item, size);
        @SuppressWarnings("unchecked")
        Delivery<S> previous = (Delivery<S>) TAIL.getAndSet(this, node);
        NEXT.setRelease(previous, node);
    }

    /** The oldest delivery, or null (see the class comment); consumer thread only. */
    @SuppressWarnings("unchecked")
    @Nullable Delivery<S> poll() {
        Delivery<S> next = (Delivery<S>) NEXT.getAcquire(head);
        if (next == null) {
            return null;
        }
        head = next;
        return next;
    }

    /** Whether nothing is linked after the stub; consumer thread only. */
    boolean isEmpty() {
        return NEXT.getAcquire(head) == null;
    }

    /** Drops everything linked so far; consumer thread only. */
    void clear() {
        Delivery<S> delivery;
        while ((delivery = poll()) != null) {
            delivery.clear();
        }
    }
}
