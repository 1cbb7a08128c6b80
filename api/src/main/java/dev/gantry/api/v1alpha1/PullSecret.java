package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** The image pull Secret the operator writes into each namespace of an environment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PullSecret {
    public static final String DEFAULT_NAME = "gantry-pull";

    @Default(DEFAULT_NAME)
    @Pattern(Names.DNS_SUBDOMAIN)
    @Size(max = Names.DNS_SUBDOMAIN_MAX)
    @JsonPropertyDescription("Name of the kubernetes.io/dockerconfigjson Secret. Default gantry-pull.")
    private String name;

    @Default("true")
    @JsonPropertyDescription("Add the Secret to the default ServiceAccount's imagePullSecrets. Default true.")
    private Boolean patchDefaultServiceAccount;

    @JsonIgnore
    public String effectiveName() {
        return name == null ? DEFAULT_NAME : name;
    }

    @JsonIgnore
    public boolean patchesDefaultServiceAccount() {
        return !Boolean.FALSE.equals(patchDefaultServiceAccount);
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Boolean getPatchDefaultServiceAccount() {
        return patchDefaultServiceAccount;
    }

    public void setPatchDefaultServiceAccount(Boolean patchDefaultServiceAccount) {
        this.patchDefaultServiceAccount = patchDefaultServiceAccount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PullSecret other && Objects.equals(name, other.name)
                && Objects.equals(patchDefaultServiceAccount, other.patchDefaultServiceAccount);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, patchDefaultServiceAccount);
    }
}
