package dev.herald.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RequestTarget} splits and decodes a target exactly as Netty's {@link QueryStringDecoder}, which it replaced. */
class RequestTargetTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "/v1/poll",
            "/v1/poll?",
            "/v1/poll?channel=a&timeout=30&after=x-1",
            "/v1/poll?channel=a&channel=b&channel=a",
            "/v1/sse?channel=a;channel=b&lastEventId=1%3A2",
            "/v1/poll?flag&other=&=skipped&&x==y",
            "/v1/poll?a=1#fragment&b=2",
            "/v1/poll#fragment?a=1",
            "/v1/a%20b/c+d?q=a+b%20c&%63hannel=escaped-name",
            "/v1/poll?name=%E2%82%AC%C3%A9&n%C3%A9=1",
            "/?x=%41%42%43&y=%7e",
            "/v1/channels/room%2D1/messages?event=chat&ephemeral",
    })
    void decodesEveryTargetAsNettysDecoderDoes(String uri) {
        QueryStringDecoder netty = new QueryStringDecoder(uri);
        RequestTarget target = RequestTarget.parse(uri);

        assertThat(target.path()).isEqualTo(netty.path());
        for (Map.Entry<String, List<String>> parameter : netty.parameters().entrySet()) {
            List<String> values = parameter.getValue();
            assertThat(target.parameters(parameter.getKey())).as(parameter.getKey()).isEqualTo(values);
            assertThat(target.parameter(parameter.getKey())).isEqualTo(values.get(values.size() - 1));
        }
        assertThat(target.parameter("absent")).isNull();
        assertThat(target.parameters("absent")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/poll?channel=%zz", "/v1/poll?channel=a%", "/v1/poll?channel=a%4", "/v1/%g1/x",
            "/v1/poll?a=1&%zz=2", "/v1/poll?a=1&b=%2"})
    void refusesAnEscapeThatIsNotTwoHexDigitsAsMalformed(String uri) {
        QueryStringDecoder netty = new QueryStringDecoder(uri);
        assertThatThrownBy(() -> {
            netty.path();
            netty.parameters();
        }).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestTarget.parse(uri))
                .isInstanceOfSatisfying(HttpProblem.class, problem -> {
                    assertThat(problem.status().code()).isEqualTo(400);
                    assertThat(problem.code()).isEqualTo("malformed_request");
                });
    }

    @Test
    void readsAtMostTheDecodersNumberOfParameters() {
        StringBuilder uri = new StringBuilder("/v1/poll?");
        for (int i = 0; i < RequestTarget.MAX_PARAMETERS + 5; i++) {
            uri.append("p").append(i).append("=").append(i).append('&');
        }
        RequestTarget target = RequestTarget.parse(uri.toString());

        assertThat(target.parameter("p" + (RequestTarget.MAX_PARAMETERS - 1)))
                .isEqualTo(String.valueOf(RequestTarget.MAX_PARAMETERS - 1));
        assertThat(target.parameter("p" + RequestTarget.MAX_PARAMETERS)).isNull();
        assertThat(new QueryStringDecoder(uri.toString()).parameters()).hasSize(RequestTarget.MAX_PARAMETERS);
    }

    @Test
    void typedParametersAnswerOutOfRangeOrUnreadableValuesWithInvalidParameter() {
        RequestTarget target = RequestTarget.parse("/v1/poll?timeout=31&limit=x&n=7&empty=&on&off=0&bad=yes");

        assertThat(target.intParameter("n", 0, 10, 3)).isEqualTo(7);
        assertThat(target.intParameter("empty", 0, 10, 3)).isEqualTo(3);
        assertThat(target.intParameter("absent", 0, 10, 3)).isEqualTo(3);
        assertThat(target.booleanParameter("on")).isTrue();
        assertThat(target.booleanParameter("off")).isFalse();
        assertThat(target.booleanParameter("absent")).isFalse();
        for (Runnable bad : List.<Runnable>of(() -> target.intParameter("timeout", 0, 30, 10),
                () -> target.intParameter("limit", 1, 1000, 100), () -> target.booleanParameter("bad"))) {
            assertThatThrownBy(bad::run).isInstanceOfSatisfying(HttpProblem.class,
                    problem -> assertThat(problem.code()).isEqualTo("invalid_parameter"));
        }
    }
}
