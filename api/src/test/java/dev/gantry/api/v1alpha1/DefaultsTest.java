package dev.gantry.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The defaults the accessors apply where the schema cannot (type-specific fields) or a client skipped defaulting. */
class DefaultsTest {

    @Test
    void aLocalRegistryTakesPushesUnlessToldNot() {
        RegistrySpec spec = RegistrySpec.local();
        assertThat(spec.pushAllowed()).isTrue();
        spec.setAllowPush(false);
        assertThat(spec.pushAllowed()).isFalse();
    }

    @Test
    void onlyLocalRegistriesTakePushes() {
        assertThat(RegistrySpec.remote("https://registry-1.docker.io").pushAllowed()).isFalse();
        assertThat(RegistrySpec.virtual(List.of("dev")).pushAllowed()).isFalse();
    }

    @Test
    void tagFreshnessDefaultsToSixHoursAndNeverMeansForever() {
        Upstream upstream = new Upstream("https://registry-1.docker.io");
        assertThat(upstream.tagFreshnessPeriod()).contains(Duration.ofHours(6));
        upstream.setTagFreshness("1h30m");
        assertThat(upstream.tagFreshnessPeriod()).contains(Duration.ofMinutes(90));
        upstream.setTagFreshness("250ms");
        assertThat(upstream.tagFreshnessPeriod()).contains(Duration.ofMillis(250));
        upstream.setTagFreshness("Never");
        assertThat(upstream.tagFreshnessPeriod()).isEmpty();
    }

    @Test
    void aFreshnessThatIsNotADurationIsRefusedWithAnExample() {
        Upstream upstream = new Upstream("https://registry-1.docker.io");
        upstream.setTagFreshness("6 hours");
        assertThatThrownBy(upstream::tagFreshnessPeriod).hasMessageContaining("e.g. 30m, 6h");
        upstream.setTagFreshness("99999999999999999999h");
        assertThatThrownBy(upstream::tagFreshnessPeriod).hasMessageContaining("out of range");
    }

    @Test
    void promotingATagKeepsTheTagInTheTargetByDefault() {
        assertThat(PromotionSpec.ofTag("team/app", "dev", "qa", "1.2").effectiveTargetTags()).containsExactly("1.2");
        assertThat(PromotionSpec.ofDigest("team/app", "dev", "qa", "sha256:" + "a".repeat(64))
                .effectiveTargetTags()).isEmpty();
        PromotionSpec explicit = PromotionSpec.ofTag("team/app", "dev", "qa", "1.2");
        explicit.setTargetTags(List.of("stable"));
        assertThat(explicit.effectiveTargetTags()).containsExactly("stable");
    }

    @Test
    void environmentPolicyDefaultsToEnforcingPromotedDigests() {
        EnvironmentPolicy policy = new EnvironmentSpec().policyOrDefault();
        assertThat(policy.digestRequired()).isTrue();
        assertThat(policy.promotionVerified()).isTrue();
        assertThat(policy.effectiveMode()).isEqualTo(PolicyMode.ENFORCE);
        assertThat(new EnvironmentSpec().pullSecretOrDefault().effectiveName()).isEqualTo("gantry-pull");
        assertThat(new EnvironmentSpec().pullSecretOrDefault().patchesDefaultServiceAccount()).isTrue();
    }

    @Test
    void promotionsIncludeReferrersByDefault() {
        assertThat(PromotionSpec.ofTag("team/app", "dev", "qa", "1").referrersIncluded()).isTrue();
    }
}
