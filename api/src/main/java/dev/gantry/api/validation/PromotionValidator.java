package dev.gantry.api.validation;

import dev.gantry.api.v1alpha1.Names;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionSpec;
import java.util.Objects;

/** The rules of the {@code promotions.gantry.dev} CRD, in Java. */
public final class PromotionValidator {
    private PromotionValidator() {
    }

    public static FieldErrors validate(Promotion promotion) {
        FieldErrors errors = new FieldErrors();
        PromotionSpec spec = promotion.getSpec();
        if (!errors.required("spec", spec)) {
            return errors;
        }
        if (errors.required("spec.repository", spec.getRepository(), "the path inside the registries, e.g. team/app")) {
            errors.matches("spec.repository", spec.getRepository(), Rules.REPOSITORY, Names.REPOSITORY_MAX,
                    Rules.REPOSITORY_HINT);
        }
        if (errors.required("spec.from", spec.getFrom(), "the source registry, e.g. dev")) {
            errors.matches("spec.from", spec.getFrom(), Rules.DNS_LABEL, Names.DNS_LABEL_MAX, Rules.DNS_LABEL_HINT);
        }
        if (errors.required("spec.to", spec.getTo(), "the target registry, e.g. qa")) {
            errors.matches("spec.to", spec.getTo(), Rules.DNS_LABEL, Names.DNS_LABEL_MAX, Rules.DNS_LABEL_HINT);
        }
        if (spec.getFrom() != null && spec.getFrom().equals(spec.getTo())) {
            errors.add("spec.to", "must name a different registry than spec.from");
        }
        if ((spec.getDigest() == null) == (spec.getTag() == null)) {
            errors.add("spec", "exactly one of spec.digest and spec.tag must be set",
                    "promote a digest for exactly that image, or a tag to promote what it points at now");
        }
        errors.matches("spec.digest", spec.getDigest(), Rules.DIGEST, PromotionSpec.DIGEST_MAX, Rules.DIGEST_HINT);
        errors.matches("spec.tag", spec.getTag(), Rules.TAG, PromotionSpec.TAG_MAX, Rules.TAG_HINT);
        errors.matches("spec.expectedDigest", spec.getExpectedDigest(), Rules.DIGEST, PromotionSpec.DIGEST_MAX,
                Rules.DIGEST_HINT);
        if (spec.getExpectedDigest() != null && spec.getTag() == null) {
            errors.add("spec.expectedDigest", "only allowed with spec.tag",
                    "when promoting by digest the digest itself is what is expected");
        }
        errors.list("spec.targetTags", spec.getTargetTags(), PromotionSpec.MAX_TARGET_TAGS, Rules.TAG,
                PromotionSpec.TAG_MAX, Rules.TAG_HINT);
        return errors;
    }

    /** A promotion is a record: its spec never changes after creation. */
    public static FieldErrors validateUpdate(Promotion old, Promotion updated) {
        FieldErrors errors = validate(updated);
        if (!Objects.equals(old.getSpec(), updated.getSpec())) {
            errors.add("spec", "is immutable", "create a new Promotion to promote again");
        }
        return errors;
    }
}
