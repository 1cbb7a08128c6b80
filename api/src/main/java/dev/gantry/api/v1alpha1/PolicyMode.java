package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the admission webhook does with a pod that breaks its environment's policy. */
public enum PolicyMode {
    /** Deny the request. */
    @JsonProperty("Enforce") ENFORCE,
    /** Allow it and return the reasons as admission warnings (for rolling a policy out). */
    @JsonProperty("Warn") WARN
}
