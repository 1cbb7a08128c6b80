package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator last saw of the registry in the registry server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistryStatus {
    @JsonPropertyDescription("Ready: whether the registry server holds this registry as specified.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The metadata.generation the status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("The registry's base for image references, e.g. gantry.example:5000/qa.")
    private String url;

    @JsonPropertyDescription("Number of repositories.")
    private Long repositories;

    @JsonPropertyDescription("Number of manifests.")
    private Long manifests;

    @JsonPropertyDescription("Bytes of the blobs this registry references (shared blobs are stored once).")
    private Long storedBytes;

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

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public Long getRepositories() {
        return repositories;
    }

    public void setRepositories(Long repositories) {
        this.repositories = repositories;
    }

    public Long getManifests() {
        return manifests;
    }

    public void setManifests(Long manifests) {
        this.manifests = manifests;
    }

    public Long getStoredBytes() {
        return storedBytes;
    }

    public void setStoredBytes(Long storedBytes) {
        this.storedBytes = storedBytes;
    }
}
