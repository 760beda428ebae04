package dev.herald.server.http;

import dev.herald.core.ChannelId;
import dev.herald.core.HeraldNode;
import dev.herald.core.Member;
import dev.herald.server.internal.Json;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code GET /v1/channels/{channel}/presence}: who is in the channel now — every connection that subscribed to it
 * with {@code "presence": true} — as {@code {"channel":…,"members":[{"connection":…,"client":…}]}}, in join
 * order.
 */
public final class PresenceEndpoint {

    private final HeraldNode node;

    public PresenceEndpoint(HeraldNode node) {
        this.node = node;
    }

    public void members(ChannelHandlerContext ctx, boolean keepAlive, ChannelId channel) {
        node.presence(channel).whenComplete((snapshot, failure) -> {
            if (failure != null) {
                HttpResponses.error(ctx, keepAlive, ChannelsEndpoint.problem(failure));
                return;
            }
            HttpResponses.json(ctx, keepAlive, HttpResponseStatus.OK, Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("channel", channel.value());
                g.writeArrayFieldStart("members");
                for (Member member : snapshot.members()) {
                    g.writeStartObject();
                    g.writeStringField("connection", member.connectionId());
                    g.writeStringField("client", member.clientId());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }));
        });
    }
}
