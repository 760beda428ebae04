package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamCheckerTest {

    @Test
    void acceptsAnIntactStream() {
        StreamChecker checker = feed(1, 2, 3, 4, 5);

        assertThat(checker.received()).isEqualTo(5);
        assertThat(checker.missing(5)).isZero();
        assertThat(checker.duplicates()).isZero();
        assertThat(checker.outOfOrder()).isZero();
        assertThat(checker.unexpected(5)).isZero();
    }

    @Test
    void countsAMessageNeverReceivedAsMissing() {
        StreamChecker checker = feed(1, 2, 4, 5);

        assertThat(checker.missing(5)).isEqualTo(1);
        assertThat(checker.outOfOrder()).isZero();
    }

    @Test
    void countsTheTailNeverReceivedAsMissing() {
        assertThat(feed(1, 2, 3).missing(5)).isEqualTo(2);
    }

    @Test
    void countsARepeatedMessageAsDuplicate() {
        StreamChecker checker = feed(1, 2, 2, 3);

        assertThat(checker.duplicates()).isEqualTo(1);
        assertThat(checker.missing(3)).isZero();
    }

    @Test
    void countsALateMessageAsOutOfOrder() {
        StreamChecker checker = feed(1, 3, 2, 4);

        assertThat(checker.outOfOrder()).isEqualTo(1);
        assertThat(checker.missing(4)).isZero();
        assertThat(checker.duplicates()).isZero();
    }

    @Test
    void countsMessagesBeyondThePublishedOnesAsUnexpected() {
        assertThat(feed(1, 2, 3, 7).unexpected(3)).isEqualTo(1);
    }

    private static StreamChecker feed(long... seqs) {
        StreamChecker checker = new StreamChecker();
        for (long seq : seqs) {
            checker.accept(seq);
        }
        return checker;
    }
}
