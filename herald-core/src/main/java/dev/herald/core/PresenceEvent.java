package dev.herald.core;

import java.util.List;

/**
 * A change in who is in a channel, or the full list, as handed to a subscription that asked for presence.
 *
 * @param channel  the channel concerned
 * @param action   {@link Action#SYNC}: {@code members} is everyone present; {@link Action#JOIN} /
 *                 {@link Action#LEAVE}: {@code members} is the one member who came or went
 * @param members  see {@code action}; immutable
 * @param revision orders a channel's presence changes: a change with a higher revision happened later. A
 *                 {@code SYNC} reflects every change up to its revision and none after it, which is how a new
 *                 subscription joins the list and the stream of changes without a gap or a stale entry
 */
public record PresenceEvent(ChannelId channel, Action action, List<Member> members, long revision) {

    /** What a {@link PresenceEvent} says. */
    public enum Action {
        /** The complete member list, sent once when a subscription starts. */
        SYNC("sync"),
        /** A member came. */
        JOIN("join"),
        /** A member went: it unsubscribed, its connection closed, or it stopped answering heartbeats. */
        LEAVE("leave");

        private final String wireName;

        Action(String wireName) {
            this.wireName = wireName;
        }

        /** The name used on the wire, e.g. {@code join}. */
        public String wireName() {
            return wireName;
        }
    }

    public PresenceEvent {
        members = List.copyOf(members);
        if (action != Action.SYNC && members.size() != 1) {
            throw new IllegalArgumentException(action + " carries exactly one member, not " + members.size());
        }
    }

    /** A join or leave of one member. */
    public static PresenceEvent change(ChannelId channel, Action action, Member member, long revision) {
        return new PresenceEvent(channel, action, List.of(member), revision);
    }

    /** The member who came or went; only for {@code JOIN} and {@code LEAVE}. */
    public Member member() {
        if (action == Action.SYNC) {
            throw new IllegalStateException("a sync carries the whole list; use members()");
        }
        return members.get(0);
    }
}
