package dev.gantry.api.crd;

import static dev.gantry.api.crd.RuleCase.create;
import static dev.gantry.api.crd.RuleCase.javaOnly;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentPolicy;
import dev.gantry.api.v1alpha1.EnvironmentSpec;
import dev.gantry.api.v1alpha1.PullSecret;
import dev.gantry.api.validation.EnvironmentValidator;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the Environment CRD, checked against the committed CRD and the Java validator alike. */
class EnvironmentRulesTest {
    private static final CrdSchema CRD = CrdSchema.committed("environments");

    static Stream<RuleCase<Environment>> rules() {
        return Stream.of(
                create("an environment naming a registry and selecting namespaces by label is valid", env(s -> { })),
                create("an environment in warn mode admitting tags is valid", env(s -> {
                    EnvironmentPolicy policy = new EnvironmentPolicy();
                    policy.setRequireDigest(false);
                    policy.setVerifyPromoted(false);
                    policy.setMode(dev.gantry.api.v1alpha1.PolicyMode.WARN);
                    policy.setExemptImages(List.of("registry.k8s.io/pause:*"));
                    s.setPolicy(policy);
                })),
                create("an environment with its own pull secret name is valid",
                        env(s -> s.setPullSecret(pullSecret("qa-pull")))),

                create("an environment without a spec is refused", new Environment("qa", null), "spec"),
                create("an environment without a registry is refused", env(s -> s.setRegistry(null)), "spec.registry"),
                create("an environment naming a registry outside the grammar is refused",
                        env(s -> s.setRegistry("QA")), "spec.registry"),
                create("an environment without a namespace selector is refused",
                        env(s -> s.setNamespaceSelector(null)), "spec.namespaceSelector"),
                create("verifying promotion without requiring a digest is refused", env(s -> {
                    EnvironmentPolicy policy = new EnvironmentPolicy();
                    policy.setRequireDigest(false);
                    s.setPolicy(policy);
                }), "spec.policy.verifyPromoted"),
                create("an empty exempt-image pattern is refused",
                        env(s -> s.setPolicy(exempt(List.of("")))), "spec.policy.exemptImages[0]"),
                create("more than 64 exempt-image patterns are refused",
                        env(s -> s.setPolicy(exempt(Collections.nCopies(65, "a/*")))), "spec.policy.exemptImages"),
                create("a pull secret name outside the grammar is refused",
                        env(s -> s.setPullSecret(pullSecret("Gantry_Pull"))), "spec.pullSecret.name"),

                javaOnly("a selector expression with an unknown operator is refused",
                        env(s -> s.setNamespaceSelector(new LabelSelectorBuilder().addNewMatchExpression()
                                .withKey("stage").withOperator("Equals").withValues("qa").endMatchExpression()
                                .build())),
                        "spec.namespaceSelector.matchExpressions[0].operator"),
                javaOnly("an In selector expression without values is refused",
                        env(s -> s.setNamespaceSelector(new LabelSelectorBuilder().addNewMatchExpression()
                                .withKey("stage").withOperator("In").endMatchExpression().build())),
                        "spec.namespaceSelector.matchExpressions[0].values"),
                javaOnly("an Exists selector expression with values is refused",
                        env(s -> s.setNamespaceSelector(new LabelSelectorBuilder().addNewMatchExpression()
                                .withKey("stage").withOperator("Exists").withValues("qa").endMatchExpression()
                                .build())),
                        "spec.namespaceSelector.matchExpressions[0].values"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theJavaValidatorRefusesExactlyTheExpectedFields(RuleCase<Environment> rule) {
        assertThat(rule.javaRefuses(EnvironmentValidator::validate, (old, updated) ->
                EnvironmentValidator.validate(updated))).containsExactlyInAnyOrderElementsOf(rule.refused());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theCrdRefusesExactlyTheExpectedFields(RuleCase<Environment> rule) {
        assertThat(rule.crdRefuses(CRD)).containsExactlyInAnyOrderElementsOf(rule.crdShouldRefuse());
    }

    private static Environment env(Consumer<EnvironmentSpec> edit) {
        EnvironmentSpec spec = new EnvironmentSpec();
        spec.setRegistry("qa");
        spec.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("gantry.dev/stage", "qa").build());
        edit.accept(spec);
        return new Environment("qa", spec);
    }

    private static EnvironmentPolicy exempt(List<String> patterns) {
        EnvironmentPolicy policy = new EnvironmentPolicy();
        policy.setExemptImages(patterns);
        return policy;
    }

    private static PullSecret pullSecret(String name) {
        PullSecret pullSecret = new PullSecret();
        pullSecret.setName(name);
        return pullSecret;
    }
}
