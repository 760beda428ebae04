package dev.herald.server.websocket;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryQueueTest {

    @Test
    void pollsInOfferOrderAndClearsItsStub() {
        DeliveryQueue<String> queue = new DeliveryQueue<>();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.poll()).isNull();
        queue.offer("a", 1, 10);
        queue.offer("b", 2, -1);
        assertThat(queue.isEmpty()).isFalse();
        DeliveryQueue.Delivery<String> first = queue.poll();
        assertThat(first.sink).isEqualTo("a");
        assertThat(first.item).isEqualTo(1);
        assertThat(first.size).isEqualTo(10);
        first.clear();
        DeliveryQueue.Delivery<String> second = queue.poll();
        assertThat(second.item).isEqualTo(2);
        assertThat(second.size).isEqualTo(-1);
        assertThat(queue.poll()).isNull();
        queue.offer("c", 3, 1);
        queue.clear();
        assertThat(queue.isEmpty()).isTrue();
    }

    /** Producers race; the one consumer sees every offer exactly once, each producer's in its order. */
    @Test
    void concurrentProducersLoseNothingAndKeepTheirOrder() throws InterruptedException {
        int producers = 4;
        int perProducer = 200_000;
        DeliveryQueue<Integer> queue = new DeliveryQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    queue.offer(producer, i, 1);
                }
            }));
        }
        int[] next = new int[producers];
        int received = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        start.countDown();
        while (received < producers * perProducer) {
            DeliveryQueue.Delivery<Integer> delivery = queue.poll();
            if (delivery == null) {
                assertThat(System.nanoTime()).as("all offers arrive").isLessThan(deadline);
                Thread.onSpinWait();
                continue;
            }
            int producer = delivery.sink;
            assertThat((int) (Integer) delivery.item).isEqualTo(next[producer]);
            next[producer]++;
            received++;
            delivery.clear();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(queue.poll()).isNull();
        assertThat(next).containsOnly(perProducer);
    }
}
