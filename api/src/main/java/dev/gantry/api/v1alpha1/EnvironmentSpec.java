package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Which namespaces form an environment and which registry their pods may run images from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.policy) || !(has(self.policy.verifyPromoted) ? self.policy.verifyPromoted : true)"
        + " || (has(self.policy.requireDigest) ? self.policy.requireDigest : true)",
        message = "spec.policy.verifyPromoted needs spec.policy.requireDigest: only a digest can be checked against "
                + "what was promoted, a tag can move after admission",
        reason = "FieldValueInvalid", fieldPath = ".policy.verifyPromoted")
public class EnvironmentSpec {
    @Required
    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("The only registry pods in this environment may run images from (a Registry's name).")
    private String registry;

    @Required
    @JsonPropertyDescription("The namespaces that belong to this environment.")
    private LabelSelector namespaceSelector;

    @JsonPropertyDescription("What the admission webhook checks.")
    private EnvironmentPolicy policy;

    @JsonPropertyDescription("The pull Secret written into each namespace.")
    private PullSecret pullSecret;

    @JsonIgnore
    public EnvironmentPolicy policyOrDefault() {
        return policy == null ? new EnvironmentPolicy() : policy;
    }

    @JsonIgnore
    public PullSecret pullSecretOrDefault() {
        return pullSecret == null ? new PullSecret() : pullSecret;
    }

    public String getRegistry() {
        return registry;
    }

    public void setRegistry(String registry) {
        this.registry = registry;
    }

    public LabelSelector getNamespaceSelector() {
        return namespaceSelector;
    }

    public void setNamespaceSelector(LabelSelector namespaceSelector) {
        this.namespaceSelector = namespaceSelector;
    }

    public EnvironmentPolicy getPolicy() {
        return policy;
    }

    public void setPolicy(EnvironmentPolicy policy) {
        this.policy = policy;
    }

    public PullSecret getPullSecret() {
        return pullSecret;
    }

    public void setPullSecret(PullSecret pullSecret) {
        this.pullSecret = pullSecret;
    }
}
