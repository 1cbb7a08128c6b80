package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/** The rules the admission webhook applies to pods in an environment's namespaces. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvironmentPolicy {
    public static final int MAX_EXEMPT = 64;
    public static final int MAX_PATTERN = 512;

    @Default("true")
    @JsonPropertyDescription("Images must be pinned by digest (…@sha256:…). Default true.")
    private Boolean requireDigest;

    @Default("true")
    @JsonPropertyDescription("The digest must exist in the environment's registry, i.e. it was pushed or promoted "
            + "there. Needs requireDigest. Default true.")
    private Boolean verifyPromoted;

    @Default("Enforce")
    @JsonPropertyDescription("Enforce denies offending pods; Warn admits them with warnings. Default Enforce.")
    private PolicyMode mode;

    @Size(max = MAX_EXEMPT)
    @JsonPropertyDescription("Glob patterns of images admitted anyway, with a warning (e.g. "
            + "registry.k8s.io/pause:*). '*' matches within a path component, '**' across components.")
    private List<@Size(min = 1, max = MAX_PATTERN) String> exemptImages;

    @JsonIgnore
    public boolean digestRequired() {
        return !Boolean.FALSE.equals(requireDigest);
    }

    @JsonIgnore
    public boolean promotionVerified() {
        return !Boolean.FALSE.equals(verifyPromoted);
    }

    @JsonIgnore
    public PolicyMode effectiveMode() {
        return mode == null ? PolicyMode.ENFORCE : mode;
    }

    @JsonIgnore
    public List<String> exemptImagesOrEmpty() {
        return exemptImages == null ? List.of() : exemptImages;
    }

    public Boolean getRequireDigest() {
        return requireDigest;
    }

    public void setRequireDigest(Boolean requireDigest) {
        this.requireDigest = requireDigest;
    }

    public Boolean getVerifyPromoted() {
        return verifyPromoted;
    }

    public void setVerifyPromoted(Boolean verifyPromoted) {
        this.verifyPromoted = verifyPromoted;
    }

    public PolicyMode getMode() {
        return mode;
    }

    public void setMode(PolicyMode mode) {
        this.mode = mode;
    }

    public List<String> getExemptImages() {
        return exemptImages;
    }

    public void setExemptImages(List<String> exemptImages) {
        this.exemptImages = exemptImages;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnvironmentPolicy other && Objects.equals(requireDigest, other.requireDigest)
                && Objects.equals(verifyPromoted, other.verifyPromoted) && mode == other.mode
                && Objects.equals(exemptImages, other.exemptImages);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requireDigest, verifyPromoted, mode, exemptImages);
    }
}
