package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PromotionStatus {
    @JsonPropertyDescription("Pending, Succeeded or Failed.")
    private PromotionPhase phase;

    @JsonPropertyDescription("Exactly the digest that was promoted.")
    private String digest;

    @JsonPropertyDescription("When the registry recorded the promotion (RFC 3339).")
    private String promotedAt;

    @JsonPropertyDescription("A readable account of the outcome.")
    private String message;

    @JsonPropertyDescription("Succeeded, with the registry's error code as reason on failure.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The metadata.generation the status describes.")
    private Long observedGeneration;

    public PromotionPhase getPhase() {
        return phase;
    }

    public void setPhase(PromotionPhase phase) {
        this.phase = phase;
    }

    public String getDigest() {
        return digest;
    }

    public void setDigest(String digest) {
        this.digest = digest;
    }

    public String getPromotedAt() {
        return promotedAt;
    }

    public void setPromotedAt(String promotedAt) {
        this.promotedAt = promotedAt;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

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
}
