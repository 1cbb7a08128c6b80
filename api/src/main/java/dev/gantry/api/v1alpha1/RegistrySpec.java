package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/**
 * The desired registry. Type-specific fields carry no schema defaults (a default would appear on every type and trip
 * the type rules); their defaults are applied by the accessors below. The type rules are skipped while the type itself
 * is missing, so that only "spec.type: Required value" is reported.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.type) || self.type != 'Remote' || has(self.upstream)",
        message = "spec.upstream is required when spec.type is Remote", reason = "FieldValueRequired",
        fieldPath = ".upstream")
@ValidationRule(value = "!has(self.type) || self.type == 'Remote' || !has(self.upstream)",
        message = "spec.upstream is only allowed when spec.type is Remote", reason = "FieldValueForbidden",
        fieldPath = ".upstream")
@ValidationRule(value = "!has(self.type) || self.type != 'Virtual'"
        + " || (has(self.members) && size(self.members) > 0)",
        message = "spec.members is required when spec.type is Virtual", reason = "FieldValueRequired",
        fieldPath = ".members")
@ValidationRule(value = "!has(self.type) || self.type == 'Virtual' || !has(self.members)",
        message = "spec.members is only allowed when spec.type is Virtual", reason = "FieldValueForbidden",
        fieldPath = ".members")
@ValidationRule(value = "!has(self.type) || self.type == 'Virtual' || !has(self.deployTo)",
        message = "spec.deployTo is only allowed when spec.type is Virtual", reason = "FieldValueForbidden",
        fieldPath = ".deployTo")
@ValidationRule(value = "!has(self.type) || self.type != 'Virtual' || !has(self.deployTo)"
        + " || (has(self.members) && self.deployTo in self.members)",
        message = "spec.deployTo must be one of spec.members", reason = "FieldValueInvalid",
        fieldPath = ".deployTo")
@ValidationRule(value = "!has(self.type) || self.type != 'Virtual' || !has(self.untaggedRetention)",
        message = "spec.untaggedRetention is only allowed when spec.type is Local or Remote (a Virtual registry holds "
                + "nothing)", reason = "FieldValueForbidden", fieldPath = ".untaggedRetention")
@ValidationRule(value = "!has(self.type) || self.type == 'Local'"
        + " || (!has(self.allowPush) && !has(self.promotionSources)"
        + " && !has(self.immutableTags))",
        message = "spec.allowPush, spec.promotionSources and spec.immutableTags are only allowed when spec.type is Local",
        reason = "FieldValueForbidden")
public class RegistrySpec {
    public static final int MAX_LIST = 32;

    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.type is immutable", reason = "FieldValueForbidden")
    @JsonPropertyDescription("Local (a stage: images arrive by push or promotion), Remote (a pull-through cache of an "
            + "upstream registry) or Virtual (one endpoint over several registries). Immutable.")
    private RegistryType type;

    @JsonPropertyDescription("Local only: whether clients may push into this registry. Default true; a stage that "
            + "receives images only by promotion sets false.")
    private Boolean allowPush;

    @Size(max = MAX_LIST)
    @ValidationRule(value = "self.all(s, self.exists_one(t, t == s))",
            message = "spec.promotionSources must not repeat a registry", reason = "FieldValueDuplicate")
    @JsonPropertyDescription("Local only: the registries allowed to promote into this one. Empty: none.")
    private List<@Pattern(Names.DNS_LABEL) @Size(max = Names.DNS_LABEL_MAX) String> promotionSources;

    @JsonPropertyDescription("Local only: once a tag points at a digest it never moves. Default false.")
    private Boolean immutableTags;

    @JsonPropertyDescription("Remote only: the registry this one caches.")
    private Upstream upstream;

    @Size(max = MAX_LIST)
    @ValidationRule(value = "self.all(s, self.exists_one(t, t == s))",
            message = "spec.members must not repeat a registry", reason = "FieldValueDuplicate")
    @JsonPropertyDescription("Virtual only: the registries resolved over, in order; the first that holds a "
            + "reference answers.")
    private List<@Pattern(Names.DNS_LABEL) @Size(max = Names.DNS_LABEL_MAX) String> members;

    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("Virtual only: the Local member that receives pushes made through this registry; "
            + "without it the virtual registry is read-only.")
    private String deployTo;

    @JsonPropertyDescription("Anyone may pull from this registry without credentials (access control still guards "
            + "pushes, deletes and promotions). Default false.")
    private Boolean anonymousPull;

    @Pattern(Names.FRESHNESS)
    @Size(max = Upstream.FRESHNESS_MAX)
    @JsonPropertyDescription("Local and Remote: how long a manifest that no tag points at, and that was not promoted "
            + "into this registry, is kept before garbage collection removes it (and then the layers only it used), "
            + "e.g. 168h; never shorter than the collector's grace period. Default Never: untagged manifests stay "
            + "until deleted. Tagged and promoted manifests are never collected.")
    private String untaggedRetention;

    public RegistrySpec() {
    }

    public static RegistrySpec local() {
        return ofType(RegistryType.LOCAL);
    }

    public static RegistrySpec remote(String upstreamUrl) {
        RegistrySpec spec = ofType(RegistryType.REMOTE);
        spec.setUpstream(new Upstream(upstreamUrl));
        return spec;
    }

    public static RegistrySpec virtual(List<String> members) {
        RegistrySpec spec = ofType(RegistryType.VIRTUAL);
        spec.setMembers(members);
        return spec;
    }

    private static RegistrySpec ofType(RegistryType type) {
        RegistrySpec spec = new RegistrySpec();
        spec.setType(type);
        return spec;
    }

    /** Whether pushes are accepted: only Local registries take pushes, and those by default. */
    @JsonIgnore
    public boolean pushAllowed() {
        return type == RegistryType.LOCAL && !Boolean.FALSE.equals(allowPush);
    }

    @JsonIgnore
    public boolean tagsImmutable() {
        return Boolean.TRUE.equals(immutableTags);
    }

    @JsonIgnore
    public List<String> promotionSourcesOrEmpty() {
        return promotionSources == null ? List.of() : promotionSources;
    }

    @JsonIgnore
    public List<String> membersOrEmpty() {
        return members == null ? List.of() : members;
    }

    public RegistryType getType() {
        return type;
    }

    public void setType(RegistryType type) {
        this.type = type;
    }

    public Boolean getAllowPush() {
        return allowPush;
    }

    public void setAllowPush(Boolean allowPush) {
        this.allowPush = allowPush;
    }

    public List<String> getPromotionSources() {
        return promotionSources;
    }

    public void setPromotionSources(List<String> promotionSources) {
        this.promotionSources = promotionSources;
    }

    public Boolean getImmutableTags() {
        return immutableTags;
    }

    public void setImmutableTags(Boolean immutableTags) {
        this.immutableTags = immutableTags;
    }

    public Upstream getUpstream() {
        return upstream;
    }

    public void setUpstream(Upstream upstream) {
        this.upstream = upstream;
    }

    public List<String> getMembers() {
        return members;
    }

    public void setMembers(List<String> members) {
        this.members = members;
    }

    public Boolean getAnonymousPull() {
        return anonymousPull;
    }

    public void setAnonymousPull(Boolean anonymousPull) {
        this.anonymousPull = anonymousPull;
    }

    public String getUntaggedRetention() {
        return untaggedRetention;
    }

    public void setUntaggedRetention(String untaggedRetention) {
        this.untaggedRetention = untaggedRetention;
    }

    /** The retention period, or empty for Never (the default). */
    @JsonIgnore
    public java.util.Optional<java.time.Duration> untaggedRetentionPeriod() {
        return dev.gantry.api.UntaggedRetention.parse(untaggedRetention);
    }

    public String getDeployTo() {
        return deployTo;
    }

    public void setDeployTo(String deployTo) {
        this.deployTo = deployTo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistrySpec other && type == other.type && Objects.equals(allowPush, other.allowPush)
                && Objects.equals(promotionSources, other.promotionSources)
                && Objects.equals(immutableTags, other.immutableTags) && Objects.equals(upstream, other.upstream)
                && Objects.equals(members, other.members) && Objects.equals(deployTo, other.deployTo)
                && Objects.equals(anonymousPull, other.anonymousPull)
                && Objects.equals(untaggedRetention, other.untaggedRetention);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, allowPush, promotionSources, immutableTags, upstream, members, deployTo,
                anonymousPull, untaggedRetention);
    }
}
