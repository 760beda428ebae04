package dev.herald.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PublishOptionsTest {

    @Test
    void defaultHasNoEventAndIsDurable() {
        assertThat(PublishOptions.DEFAULT.event()).isNull();
        assertThat(PublishOptions.DEFAULT.ephemeral()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "chat.message", "order:created", "Price_Update-2", "RESET", "Reset", "resets"})
    void acceptsEventTypesOfTheDocumentedCharset(String event) {
        assertThat(PublishOptions.event(event).event()).isEqualTo(event);
        assertThat(PublishOptions.eventProblem(event)).isNull();
    }

    @Test
    void acceptsEventOfMaxLength() {
        String event = "e".repeat(PublishOptions.MAX_EVENT_LENGTH);

        assertThat(new PublishOptions(event, true).event()).isEqualTo(event);
    }

    @Test
    void rejectsEmptyEvent() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PublishOptions.event(""))
                .withMessage("event type must be 1-64 characters");
    }

    @Test
    void rejectsEventLongerThanMaxLength() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PublishOptions.event("e".repeat(PublishOptions.MAX_EVENT_LENGTH + 1)))
                .withMessage("event type must be 1-64 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"new\nevent", "new\revent", "a b", "a@b", "a/b", "é"})
    void rejectsCharactersThatCouldBreakTheSseEventLine(String event) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PublishOptions.event(event))
                .withMessageStartingWith("event type has an invalid character at index ")
                .withMessageEndingWith("; allowed are A-Z a-z 0-9 _ - . :");
    }

    @Test
    void invalidCharacterMessageNamesItsIndex() {
        assertThat(PublishOptions.eventProblem("ok\nforged"))
                .isEqualTo("event type has an invalid character at index 2; allowed are A-Z a-z 0-9 _ - . :");
    }

    @ParameterizedTest
    @ValueSource(strings = {"reset", "presence"})
    void rejectsEventNamesReservedForHeraldsOwnSignals(String event) {
        assertThat(PublishOptions.RESERVED_EVENTS).contains(event);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PublishOptions(event, false))
                .withMessage("event type '" + event + "' is reserved for Herald's own signals");
    }
}
