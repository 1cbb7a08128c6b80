package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum PromotionPhase {
    /** Not yet carried out, or being retried after a transient error. */
    @JsonProperty("Pending") PENDING,
    /** The target registry holds the digest (and tags); final. */
    @JsonProperty("Succeeded") SUCCEEDED,
    /** Refused by the registry for a reason retrying cannot change; final. */
    @JsonProperty("Failed") FAILED;

    public boolean isFinal() {
        return this != PENDING;
    }
}
