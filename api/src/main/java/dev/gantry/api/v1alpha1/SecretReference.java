package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A Secret holding upstream credentials under the keys {@code username} and {@code password}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretReference {
    @Required
    @Pattern(Names.DNS_SUBDOMAIN)
    @Size(max = Names.DNS_SUBDOMAIN_MAX)
    @JsonPropertyDescription("Name of the Secret.")
    private String name;

    @Required
    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("Namespace of the Secret (registries are cluster-scoped, so it must be named).")
    private String namespace;

    public SecretReference() {
    }

    public SecretReference(String name, String namespace) {
        this.name = name;
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretReference other && Objects.equals(name, other.name)
                && Objects.equals(namespace, other.namespace);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, namespace);
    }
}
