package dev.herald.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.herald.server.websocket.WsClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

/** The chat room of the brief, with two real JDK WebSocket clients. */
class WebSocketChatIT {

    private final WsHarness herald = WsHarness.start();

    @AfterEach
    void close() {
        herald.close();
    }

    @Test
    void twoClientsSeeEachOthersMessagesInOrderAndALeaveWhenOneDropsAbruptly() {
        WsClient alice = herald.connected("client=alice");
        WsClient bob = herald.connected("client=bob");

        alice.subscribeAndWait("room", null, true);
        JsonNode aliceSync = alice.nextOfType("presence");
        assertThat(aliceSync.get("action").asText()).isEqualTo("sync");
        assertThat(clients(aliceSync.get("members"))).containsExactly("alice");

        bob.subscribeAndWait("room", null, true);
        JsonNode bobSync = bob.nextOfType("presence");
        assertThat(clients(bobSync.get("members"))).containsExactly("alice", "bob");
        JsonNode join = alice.nextOfType("presence");
        assertThat(join.get("action").asText()).isEqualTo("join");
        assertThat(join.get("member").get("client").asText()).isEqualTo("bob");

        JsonNode listed = WsHarness.ok(herald.get("/v1/channels/room/presence"));
        assertThat(clients(listed.get("members"))).containsExactly("alice", "bob");

        for (int i = 0; i < 20; i++) {
            WsClient from = i % 2 == 0 ? alice : bob;
            from.send(frame("type", "publish", "channel", "room", "data", "m" + i, "event", "chat", "ref", i));
        }
        List<String> aliceSaw = texts(alice, 20);
        List<String> bobSaw = texts(bob, 20);
        List<String> expectedAlice = new ArrayList<>();
        List<String> expectedBob = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            (i % 2 == 0 ? expectedAlice : expectedBob).add("m" + i);
        }
        // Each client's own messages and the other's each arrive in the order they were sent; both see one order.
        assertThat(aliceSaw).isEqualTo(bobSaw);
        assertThat(aliceSaw.stream().filter(expectedAlice::contains).toList()).isEqualTo(expectedAlice);
        assertThat(aliceSaw.stream().filter(expectedBob::contains).toList()).isEqualTo(expectedBob);

        bob.abort();   // no close frame: the TCP connection just goes away
        JsonNode leave = alice.nextMatching(f -> f instanceof JsonNode n && n.path("type").asText().equals("presence")
                && n.path("action").asText().equals("leave"));
        assertThat(leave.get("member").get("client").asText()).isEqualTo("bob");
        assertThat(leave.get("channel").asText()).isEqualTo("room");
        assertThat(clients(WsHarness.ok(herald.get("/v1/channels/room/presence")).get("members")))
                .containsExactly("alice");
    }

    private static List<String> texts(WsClient client, int n) {
        List<String> texts = new ArrayList<>();
        while (texts.size() < n) {
            JsonNode message = client.nextOfType("message");
            assertThat(message.get("channel").asText()).isEqualTo("room");
            assertThat(message.get("event").asText()).isEqualTo("chat");
            assertThat(message.get("id").asText()).matches("[0-9a-z]+-[0-9]+");
            texts.add(message.get("data").asText());
        }
        return texts;
    }

    private static List<String> clients(JsonNode members) {
        List<String> clients = new ArrayList<>();
        members.forEach(m -> clients.add(m.get("client").asText()));
        return clients;
    }
}
