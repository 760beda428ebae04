package dev.herald.server.websocket;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OriginPolicyTest {

    private final OriginPolicy sameOrigin = OriginPolicy.of(List.of());

    @Test
    void allowsRequestsWithoutOriginFromNonBrowserClients() {
        assertThat(sameOrigin.allows(null, "herald.example.com")).isTrue();
    }

    @Test
    void allowsThePagesOwnOriginWithDefaultPortsEitherWay() {
        assertThat(sameOrigin.allows("https://herald.example.com", "herald.example.com")).isTrue();
        assertThat(sameOrigin.allows("https://herald.example.com", "herald.example.com:443")).isTrue();
        assertThat(sameOrigin.allows("http://Herald.Example.com:80", "herald.example.com")).isTrue();
        assertThat(sameOrigin.allows("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
        assertThat(sameOrigin.allows("http://[::1]:8080", "[::1]:8080")).isTrue();
    }

    @Test
    void refusesOtherHostsPortsAndBrokenOrigins() {
        assertThat(sameOrigin.allows("https://evil.example", "herald.example.com")).isFalse();
        assertThat(sameOrigin.allows("http://127.0.0.1:9999", "127.0.0.1:8080")).isFalse();
        assertThat(sameOrigin.allows("https://herald.example.com", "herald.example.com:8443")).isFalse();
        assertThat(sameOrigin.allows("null", "herald.example.com")).isFalse();
        assertThat(sameOrigin.allows("herald.example.com", "herald.example.com")).isFalse();
        assertThat(sameOrigin.allows("https://herald.example.com/path", "herald.example.com")).isFalse();
        assertThat(sameOrigin.allows("https://herald.example.com", null)).isFalse();
    }

    @Test
    void allowsConfiguredOriginsAndSubdomainPatterns() {
        OriginPolicy policy = OriginPolicy.of(List.of("https://app.example.com", "https://*.example.org:8443",
                "null"));
        assertThat(policy.allows("https://app.example.com", "herald.internal")).isTrue();
        assertThat(policy.allows("https://app.example.com:443", "herald.internal")).isTrue();
        assertThat(policy.allows("http://app.example.com", "herald.internal")).isFalse();
        assertThat(policy.allows("https://a.b.example.org:8443", "herald.internal")).isTrue();
        assertThat(policy.allows("https://example.org:8443", "herald.internal")).isFalse();
        assertThat(policy.allows("https://evilexample.org:8443", "herald.internal")).isFalse();
        assertThat(policy.allows("https://a.example.org", "herald.internal")).isFalse();
        assertThat(policy.allows("null", "herald.internal")).isTrue();
        assertThat(policy.allows("https://*.example.org:8443", "herald.internal")).isFalse();
    }

    @Test
    void starAllowsEveryOrigin() {
        OriginPolicy any = OriginPolicy.of(List.of("*"));
        assertThat(any.allows("https://anything.example", "herald.example.com")).isTrue();
        assertThat(any.allows("null", "herald.example.com")).isTrue();
    }

    @Test
    void refusesEntriesThatAreNotOrigins() {
        assertThat(OriginPolicy.problem("https://ok.example")).isNull();
        assertThat(OriginPolicy.problem("example.com")).isNotNull();
        assertThat(OriginPolicy.problem("https://example.com/path")).isNotNull();
        assertThat(OriginPolicy.problem("https://example.com:99999")).isNotNull();
        assertThatIllegalArgumentException().isThrownBy(() -> OriginPolicy.of(List.of("ftp//x")));
    }
}
