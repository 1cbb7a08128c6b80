package dev.gantry.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionSpec;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import dev.gantry.api.v1alpha1.Upstream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words a user reads in a denial or a status condition: the field, what is wrong, and how to fix it. */
class FieldErrorMessagesTest {

    @Test
    void aRemoteRegistryWithoutUpstreamUrlSaysWhichFieldAndWhy() {
        RegistrySpec spec = RegistrySpec.remote("https://registry-1.docker.io");
        spec.setUpstream(new Upstream());
        FieldErrors errors = RegistryValidator.validate(new Registry("hub", spec));
        assertThat(errors.summary())
                .isEqualTo("spec.upstream.url: required (e.g. https://registry-1.docker.io)");
    }

    @Test
    void aMissingUpstreamIsExplainedByTheType() {
        RegistrySpec spec = RegistrySpec.remote("https://registry-1.docker.io");
        spec.setUpstream(null);
        FieldErrors errors = RegistryValidator.validate(new Registry("hub", spec));
        assertThat(errors.asList()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("spec.upstream");
            assertThat(e.message()).isEqualTo("required when spec.type is Remote");
            assertThat(e.hint()).contains("url: https://registry-1.docker.io");
        });
    }

    @Test
    void anInvalidRegistryNameQuotesTheValueAndExplainsTheGrammar() {
        FieldErrors errors = RegistryValidator.validate(new Registry("QA_Stage", RegistrySpec.local()));
        assertThat(errors.summary()).startsWith("metadata.name: invalid value \"QA_Stage\" (")
                .contains("path component").contains("DNS-1123 label");
    }

    @Test
    void changingARegistryTypeNamesTheOldType() {
        Registry before = new Registry("dev", RegistrySpec.local());
        Registry after = new Registry("dev", RegistrySpec.virtual(List.of("qa")));
        assertThat(RegistryValidator.validateUpdate(before, after).summary())
                .isEqualTo("spec.type: is immutable (was Local) (create a new registry of type Virtual instead)");
    }

    @Test
    void everyErrorOfAPromotionIsReportedAtOnce() {
        PromotionSpec spec = PromotionSpec.ofDigest("Team/app", "dev", "dev", "sha256:abc");
        FieldErrors errors = PromotionValidator.validate(new Promotion("shop", "p", spec));
        assertThat(errors.paths()).containsExactly("spec.repository", "spec.to", "spec.digest");
        assertThat(errors.summary()).contains("spec.digest: invalid value \"sha256:abc\" (sha256:<64 lowercase hex>");
    }

    @Test
    void aValidResourceHasNoErrors() {
        PromotionSpec spec = PromotionSpec.ofTag("team/app", "dev", "qa", "1.2");
        FieldErrors errors = PromotionValidator.validate(new Promotion("shop", "p", spec));
        assertThat(errors.isEmpty()).isTrue();
        assertThat(errors.summary()).isEmpty();
    }
}
