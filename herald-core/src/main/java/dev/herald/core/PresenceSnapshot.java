package dev.herald.core;

import java.util.List;

/**
 * Who is in a channel at one moment.
 *
 * @param channel  the channel
 * @param members  the members, in the order they joined; immutable
 * @param revision the revision of the last change this list reflects (see {@link PresenceEvent#revision()})
 */
public record PresenceSnapshot(ChannelId channel, List<Member> members, long revision) {

    public PresenceSnapshot {
        members = List.copyOf(members);
    }
}
