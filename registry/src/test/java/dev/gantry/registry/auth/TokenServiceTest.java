package dev.gantry.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenServiceTest {
    private static final Principal QA = new Principal("qa", List.of(new Grant("qa", EnumSet.of(Action.PULL))));

    @Test
    void aTokenAllowsOnlyWhatWasAskedAndIsHeld() {
        TokenService tokens = new TokenService("gantry", Duration.ofMinutes(5));
        String token = tokens.issue(QA, List.of(Scope.parse("repository:qa/team/app:pull,push"),
                Scope.parse("repository:prod/team/app:pull")), r -> false);
        TokenService.Verified verified = tokens.verify(token);
        assertThat(verified.subject()).isEqualTo("qa");
        assertThat(verified.allows("qa/team/app", Action.PULL)).isTrue();
        assertThat(verified.allows("qa/team/app", Action.PUSH)).isFalse();
        assertThat(verified.allows("prod/team/app", Action.PULL)).isFalse();
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() {
        String foreign = new TokenService("gantry", Duration.ofMinutes(5)).issue(QA,
                List.of(Scope.parse("repository:qa/app:pull")), r -> false);
        assertThat(new TokenService("gantry", Duration.ofMinutes(5)).verify(foreign)).isNull();
    }

    @Test
    void aTokenForAnotherServiceIsRefusedEvenWithTheSameKey() {
        var key = TokenService.newKey();
        TokenService other = new TokenService("elsewhere", Duration.ofMinutes(5), key, 30);
        String token = other.issue(QA, List.of(Scope.parse("repository:qa/app:pull")), r -> false);
        assertThat(other.verify(token)).isNotNull();
        assertThat(new TokenService("gantry", Duration.ofMinutes(5), key, 30).verify(token)).isNull();
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        TokenService tokens = new TokenService("gantry", Duration.ofSeconds(1), TokenService.newKey(), 0);
        String token = tokens.issue(QA, List.of(Scope.parse("repository:qa/app:pull")), r -> false);
        assertThat(tokens.verify(token)).isNotNull();
        Thread.sleep(2_100);
        assertThat(tokens.verify(token)).isNull();
    }

    @Test
    void scopesParseTheirNameBetweenTheFirstAndLastColon() {
        Scope scope = Scope.parse("repository:qa/team/app:pull,push,bogus");
        assertThat(scope.type()).isEqualTo("repository");
        assertThat(scope.name()).isEqualTo("qa/team/app");
        assertThat(scope.registry()).isEqualTo("qa");
        assertThat(scope.actions()).containsExactlyInAnyOrder(Action.PULL, Action.PUSH);
    }
}
