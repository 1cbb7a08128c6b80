package dev.gantry.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** One image to move from one registry to the next, as it is. Never changes after creation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.digest) != has(self.tag)",
        message = "exactly one of spec.digest and spec.tag must be set", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.expectedDigest) || has(self.tag)",
        message = "spec.expectedDigest is only allowed with spec.tag", reason = "FieldValueForbidden",
        fieldPath = ".expectedDigest")
@ValidationRule(value = "!has(self.from) || !has(self.to) || self.from != self.to",
        message = "spec.from and spec.to must name different registries",
        reason = "FieldValueInvalid", fieldPath = ".to")
public class PromotionSpec {
    public static final int MAX_TARGET_TAGS = 32;
    public static final int TAG_MAX = 128;
    public static final int DIGEST_MAX = 135;

    @Required
    @Pattern(Names.REPOSITORY)
    @Size(max = Names.REPOSITORY_MAX)
    @JsonPropertyDescription("The repository path inside the registries, e.g. team/app.")
    private String repository;

    @Required
    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("The source registry; it must be among the target's promotionSources.")
    private String from;

    @Required
    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("The target registry.")
    private String to;

    @Pattern(Names.DIGEST)
    @Size(max = DIGEST_MAX)
    @JsonPropertyDescription("The manifest digest to promote (sha256:… or sha512:…). Exactly one of digest and tag.")
    private String digest;

    @Pattern(Names.TAG)
    @Size(max = TAG_MAX)
    @JsonPropertyDescription("The source tag to promote; it is resolved once, and status.digest records to what.")
    private String tag;

    @Pattern(Names.DIGEST)
    @Size(max = DIGEST_MAX)
    @JsonPropertyDescription("With tag: fail unless the tag still resolves to this digest.")
    private String expectedDigest;

    @Size(max = MAX_TARGET_TAGS)
    @ValidationRule(value = "self.all(s, self.exists_one(t, t == s))",
            message = "spec.targetTags must not repeat a tag", reason = "FieldValueDuplicate")
    @JsonPropertyDescription("Tags to set in the target. Default: the source tag when promoting by tag, none when "
            + "promoting by digest.")
    private List<@Pattern(Names.TAG) @Size(max = TAG_MAX) String> targetTags;

    @Default("true")
    @JsonPropertyDescription("Also promote the referrers of the digest (signatures, SBOMs, attestations). Default true.")
    private Boolean withReferrers;

    public PromotionSpec() {
    }

    public static PromotionSpec ofDigest(String repository, String from, String to, String digest) {
        PromotionSpec spec = new PromotionSpec(repository, from, to);
        spec.setDigest(digest);
        return spec;
    }

    public static PromotionSpec ofTag(String repository, String from, String to, String tag) {
        PromotionSpec spec = new PromotionSpec(repository, from, to);
        spec.setTag(tag);
        return spec;
    }

    private PromotionSpec(String repository, String from, String to) {
        this.repository = repository;
        this.from = from;
        this.to = to;
    }

    /** The tags the target gains, defaulted as documented. */
    @JsonIgnore
    public List<String> effectiveTargetTags() {
        if (targetTags != null) {
            return targetTags;
        }
        return tag == null ? List.of() : List.of(tag);
    }

    @JsonIgnore
    public boolean referrersIncluded() {
        return !Boolean.FALSE.equals(withReferrers);
    }

    public String getRepository() {
        return repository;
    }

    public void setRepository(String repository) {
        this.repository = repository;
    }

    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }

    public String getDigest() {
        return digest;
    }

    public void setDigest(String digest) {
        this.digest = digest;
    }

    public String getTag() {
        return tag;
    }

    public void setTag(String tag) {
        this.tag = tag;
    }

    public String getExpectedDigest() {
        return expectedDigest;
    }

    public void setExpectedDigest(String expectedDigest) {
        this.expectedDigest = expectedDigest;
    }

    public List<String> getTargetTags() {
        return targetTags;
    }

    public void setTargetTags(List<String> targetTags) {
        this.targetTags = targetTags;
    }

    public Boolean getWithReferrers() {
        return withReferrers;
    }

    public void setWithReferrers(Boolean withReferrers) {
        this.withReferrers = withReferrers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromotionSpec other && Objects.equals(repository, other.repository)
                && Objects.equals(from, other.from) && Objects.equals(to, other.to)
                && Objects.equals(digest, other.digest) && Objects.equals(tag, other.tag)
                && Objects.equals(expectedDigest, other.expectedDigest)
                && Objects.equals(targetTags, other.targetTags) && Objects.equals(withReferrers, other.withReferrers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(repository, from, to, digest, tag, expectedDigest, targetTags, withReferrers);
    }
}
