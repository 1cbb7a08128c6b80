package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvironmentStatus {
    @JsonPropertyDescription("Ready, and an error condition when a namespace is claimed by two environments.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The metadata.generation the status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("The namespaces the selector matches.")
    private List<String> namespaces = new ArrayList<>();

    @JsonPropertyDescription("When the pull credential was last rotated (RFC 3339).")
    private String credentialsRotatedAt;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<String> getNamespaces() {
        return namespaces;
    }

    public void setNamespaces(List<String> namespaces) {
        this.namespaces = namespaces;
    }

    public String getCredentialsRotatedAt() {
        return credentialsRotatedAt;
    }

    public void setCredentialsRotatedAt(String credentialsRotatedAt) {
        this.credentialsRotatedAt = credentialsRotatedAt;
    }
}
