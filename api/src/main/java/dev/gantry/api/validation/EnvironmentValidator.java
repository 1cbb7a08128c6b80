package dev.gantry.api.validation;

import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentPolicy;
import dev.gantry.api.v1alpha1.EnvironmentSpec;
import dev.gantry.api.v1alpha1.Names;
import dev.gantry.api.v1alpha1.PullSecret;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Set;

/** The rules of the {@code environments.gantry.dev} CRD, in Java. */
public final class EnvironmentValidator {
    private static final Set<String> VALUED_OPERATORS = Set.of("In", "NotIn");
    private static final Set<String> UNVALUED_OPERATORS = Set.of("Exists", "DoesNotExist");

    private EnvironmentValidator() {
    }

    public static FieldErrors validate(Environment environment) {
        FieldErrors errors = new FieldErrors();
        EnvironmentSpec spec = environment.getSpec();
        if (!errors.required("spec", spec)) {
            return errors;
        }
        if (errors.required("spec.registry", spec.getRegistry(), "the name of the Registry these namespaces use")) {
            errors.matches("spec.registry", spec.getRegistry(), Rules.DNS_LABEL, Names.DNS_LABEL_MAX,
                    Rules.DNS_LABEL_HINT);
        }
        if (errors.required("spec.namespaceSelector", spec.getNamespaceSelector(),
                "e.g. matchLabels: {gantry.dev/stage: qa}")) {
            validateSelector(spec.getNamespaceSelector(), errors);
        }
        EnvironmentPolicy policy = spec.getPolicy();
        if (policy != null) {
            if (policy.promotionVerified() && !policy.digestRequired()) {
                errors.add("spec.policy.verifyPromoted", "needs spec.policy.requireDigest",
                        "only a digest can be checked against what was promoted, a tag can move after admission; "
                                + "set verifyPromoted: false to admit tags");
            }
            errors.list("spec.policy.exemptImages", policy.getExemptImages(), EnvironmentPolicy.MAX_EXEMPT, Rules.ANY,
                    EnvironmentPolicy.MAX_PATTERN, "a glob such as registry.k8s.io/pause:*");
        }
        PullSecret pullSecret = spec.getPullSecret();
        if (pullSecret != null) {
            errors.matches("spec.pullSecret.name", pullSecret.getName(), Rules.DNS_SUBDOMAIN, Names.DNS_SUBDOMAIN_MAX,
                    Rules.DNS_SUBDOMAIN_HINT);
        }
        return errors;
    }

    /**
     * Label-selector rules Kubernetes applies to its own objects but not inside custom resources; checked here (not in
     * CEL, whose cost estimate over an unbounded list could get the CRD refused) so a typo cannot silently select
     * nothing, or everything.
     */
    private static void validateSelector(LabelSelector selector, FieldErrors errors) {
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        if (expressions == null) {
            return;
        }
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement requirement = expressions.get(i);
            String path = "spec.namespaceSelector.matchExpressions[" + i + "]";
            errors.required(path + ".key", requirement.getKey());
            String operator = requirement.getOperator();
            boolean hasValues = requirement.getValues() != null && !requirement.getValues().isEmpty();
            if (VALUED_OPERATORS.contains(operator)) {
                if (!hasValues) {
                    errors.add(path + ".values", "required when operator is " + operator);
                }
            } else if (UNVALUED_OPERATORS.contains(operator)) {
                if (hasValues) {
                    errors.add(path + ".values", "must be empty when operator is " + operator);
                }
            } else {
                errors.add(path + ".operator", "unknown operator \"" + operator + "\"",
                        "one of In, NotIn, Exists, DoesNotExist");
            }
        }
    }
}
