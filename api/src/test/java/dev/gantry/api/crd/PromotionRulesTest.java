package dev.gantry.api.crd;

import static dev.gantry.api.crd.RuleCase.create;
import static dev.gantry.api.crd.RuleCase.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionPhase;
import dev.gantry.api.v1alpha1.PromotionSpec;
import dev.gantry.api.v1alpha1.PromotionStatus;
import dev.gantry.api.validation.PromotionValidator;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the Promotion CRD, checked against the committed CRD and the Java validator alike. */
class PromotionRulesTest {
    private static final CrdSchema CRD = CrdSchema.committed("promotions");
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String SHA512 = "sha512:" + "b".repeat(128);

    static Stream<RuleCase<Promotion>> rules() {
        return Stream.of(
                create("promoting a digest is valid", byDigest(s -> { })),
                create("promoting a sha512 digest is valid", byDigest(s -> s.setDigest(SHA512))),
                create("promoting a tag with an expected digest and target tags is valid", byTag(s -> {
                    s.setExpectedDigest(DIGEST);
                    s.setTargetTags(List.of("1.2", "stable"));
                })),
                create("a repository with several components is valid",
                        byDigest(s -> s.setRepository("team/sub_team/app-name.web"))),

                create("a promotion without a spec is refused", new Promotion("shop", "p1", null), "spec"),
                create("a promotion with neither digest nor tag is refused", byDigest(s -> s.setDigest(null)), "spec"),
                create("a promotion with both digest and tag is refused", byDigest(s -> s.setTag("1.2")), "spec"),
                create("a promotion without a repository is refused", byDigest(s -> s.setRepository(null)),
                        "spec.repository"),
                create("a repository with uppercase letters is refused", byDigest(s -> s.setRepository("Team/app")),
                        "spec.repository"),
                create("a repository with an empty component is refused", byDigest(s -> s.setRepository("team//app")),
                        "spec.repository"),
                create("a repository climbing out with .. is refused", byDigest(s -> s.setRepository("team/../app")),
                        "spec.repository"),
                create("a repository longer than 255 characters is refused",
                        byDigest(s -> s.setRepository("a".repeat(256))), "spec.repository"),
                create("a promotion without a source is refused", byDigest(s -> s.setFrom(null)), "spec.from"),
                create("a promotion without a target is refused", byDigest(s -> s.setTo(null)), "spec.to"),
                create("a target outside the registry-name grammar is refused", byDigest(s -> s.setTo("Prod")),
                        "spec.to"),
                create("promoting a registry into itself is refused", byDigest(s -> s.setTo("dev")), "spec.to"),
                create("a digest with the wrong length is refused",
                        byDigest(s -> s.setDigest("sha256:" + "a".repeat(63))), "spec.digest"),
                create("a digest with uppercase hex is refused",
                        byDigest(s -> s.setDigest("sha256:" + "A".repeat(64))), "spec.digest"),
                create("a digest of an unsupported algorithm is refused",
                        byDigest(s -> s.setDigest("md5:" + "a".repeat(32))), "spec.digest"),
                create("a tag starting with a dot is refused", byTag(s -> s.setTag(".hidden")), "spec.tag"),
                create("a tag of 129 characters is refused", byTag(s -> s.setTag("t".repeat(129))), "spec.tag"),
                create("an expected digest when promoting by digest is refused",
                        byDigest(s -> s.setExpectedDigest(DIGEST)), "spec.expectedDigest"),
                create("an expected digest that is not a digest is refused",
                        byTag(s -> s.setExpectedDigest("latest")), "spec.expectedDigest"),
                create("a target tag outside the grammar is refused",
                        byTag(s -> s.setTargetTags(List.of("ok", "-bad"))), "spec.targetTags[1]"),
                create("a target tag listed twice is refused",
                        byTag(s -> s.setTargetTags(List.of("1.2", "1.2"))), "spec.targetTags"),
                create("more than 32 target tags are refused",
                        byTag(s -> s.setTargetTags(Stream.iterate(1, i -> i + 1).limit(33).map(i -> "t" + i)
                                .toList())), "spec.targetTags"),

                update("changing the digest of a promotion is refused", byDigest(s -> { }),
                        byDigest(s -> s.setDigest(SHA512)), "spec"),
                update("changing the target of a promotion is refused", byDigest(s -> { }),
                        byDigest(s -> s.setTo("staging")), "spec"),
                update("recording the outcome in the status is allowed", byDigest(s -> { }),
                        withStatus(byDigest(s -> { }))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theJavaValidatorRefusesExactlyTheExpectedFields(RuleCase<Promotion> rule) {
        assertThat(rule.javaRefuses(PromotionValidator::validate, PromotionValidator::validateUpdate))
                .containsExactlyInAnyOrderElementsOf(rule.refused());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theCrdRefusesExactlyTheExpectedFields(RuleCase<Promotion> rule) {
        assertThat(rule.crdRefuses(CRD)).containsExactlyInAnyOrderElementsOf(rule.crdShouldRefuse());
    }

    private static Promotion byDigest(Consumer<PromotionSpec> edit) {
        PromotionSpec spec = PromotionSpec.ofDigest("team/app", "dev", "qa", DIGEST);
        edit.accept(spec);
        return new Promotion("shop", "app-to-qa", spec);
    }

    private static Promotion byTag(Consumer<PromotionSpec> edit) {
        PromotionSpec spec = PromotionSpec.ofTag("team/app", "dev", "qa", "1.2");
        edit.accept(spec);
        return new Promotion("shop", "app-to-qa", spec);
    }

    private static Promotion withStatus(Promotion promotion) {
        PromotionStatus status = new PromotionStatus();
        status.setPhase(PromotionPhase.SUCCEEDED);
        status.setDigest(DIGEST);
        status.setConditions(Collections.emptyList());
        promotion.setStatus(status);
        return promotion;
    }
}
