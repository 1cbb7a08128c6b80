package dev.gantry.api.validation;

import dev.gantry.api.v1alpha1.Names;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import dev.gantry.api.v1alpha1.RegistryType;
import dev.gantry.api.v1alpha1.SecretReference;
import dev.gantry.api.v1alpha1.Upstream;
import java.util.Objects;

/** The rules of the {@code registries.gantry.dev} CRD, in Java. */
public final class RegistryValidator {
    private RegistryValidator() {
    }

    /** Validates a registry as created (or as it stands). */
    public static FieldErrors validate(Registry registry) {
        FieldErrors errors = new FieldErrors();
        String name = registry.getMetadata() == null ? null : registry.getMetadata().getName();
        if (errors.required("metadata.name", name)) {
            errors.matches("metadata.name", name, Rules.DNS_LABEL, Names.DNS_LABEL_MAX,
                    "it is the registry's path component in image references; " + Rules.DNS_LABEL_HINT);
        }
        RegistrySpec spec = registry.getSpec();
        if (!errors.required("spec", spec)) {
            return errors;
        }
        RegistryType type = spec.getType();
        if (!errors.required("spec.type", type, "one of Local, Remote, Virtual")) {
            return errors;
        }
        validateLocalFields(spec, type, name, errors);
        validateUpstream(spec, type, errors);
        validateMembers(spec, type, name, errors);
        validateRetention(spec, type, errors);
        return errors;
    }

    private static void validateRetention(RegistrySpec spec, RegistryType type, FieldErrors errors) {
        if (type == RegistryType.VIRTUAL) {
            errors.forbidden("spec.untaggedRetention", spec.getUntaggedRetention(),
                    "only allowed when spec.type is Local or Remote (a Virtual registry holds nothing)");
            return;
        }
        errors.matches("spec.untaggedRetention", spec.getUntaggedRetention(), Rules.FRESHNESS,
                Upstream.FRESHNESS_MAX, "a duration such as 72h or 168h, or Never");
        if (spec.getUntaggedRetention() != null && Rules.FRESHNESS.matcher(spec.getUntaggedRetention()).matches()) {
            try {
                spec.untaggedRetentionPeriod();
            } catch (IllegalArgumentException e) {
                errors.add("spec.untaggedRetention", e.getMessage());
            }
        }
    }

    /** Validates an update: everything {@link #validate} checks, and that the type did not change. */
    public static FieldErrors validateUpdate(Registry old, Registry updated) {
        FieldErrors errors = validate(updated);
        RegistryType before = old.getSpec() == null ? null : old.getSpec().getType();
        RegistryType after = updated.getSpec() == null ? null : updated.getSpec().getType();
        if (before != null && after != null && before != after) {
            errors.add("spec.type", "is immutable (was " + before.wireName() + ")",
                    "create a new registry of type " + after.wireName() + " instead");
        }
        return errors;
    }

    private static void validateLocalFields(RegistrySpec spec, RegistryType type, String name, FieldErrors errors) {
        if (type != RegistryType.LOCAL) {
            if (spec.getAllowPush() != null || spec.getPromotionSources() != null || spec.getImmutableTags() != null) {
                errors.add("spec", "allowPush, promotionSources and immutableTags are only allowed when spec.type "
                        + "is Local");
            }
            return;
        }
        errors.list("spec.promotionSources", spec.getPromotionSources(), RegistrySpec.MAX_LIST, Rules.DNS_LABEL,
                Names.DNS_LABEL_MAX, Rules.DNS_LABEL_HINT);
        if (name != null && spec.promotionSourcesOrEmpty().contains(name)) {
            errors.add("spec.promotionSources", "must not name the registry itself",
                    "list the registries images come from, e.g. dev for qa");
        }
    }

    private static void validateUpstream(RegistrySpec spec, RegistryType type, FieldErrors errors) {
        Upstream upstream = spec.getUpstream();
        if (type != RegistryType.REMOTE) {
            errors.forbidden("spec.upstream", upstream, "only allowed when spec.type is Remote");
            return;
        }
        if (upstream == null) {
            errors.add("spec.upstream", "required when spec.type is Remote",
                    "the registry to cache, e.g. upstream: {url: https://registry-1.docker.io}");
            return;
        }
        if (errors.required("spec.upstream.url", upstream.getUrl(), "e.g. https://registry-1.docker.io")) {
            errors.matches("spec.upstream.url", upstream.getUrl(), Rules.HTTP_URL, Upstream.URL_MAX,
                    "an http or https URL, e.g. https://registry-1.docker.io");
        }
        SecretReference secret = upstream.getCredentialsSecret();
        if (secret != null) {
            if (errors.required("spec.upstream.credentialsSecret.name", secret.getName())) {
                errors.matches("spec.upstream.credentialsSecret.name", secret.getName(), Rules.DNS_SUBDOMAIN,
                        Names.DNS_SUBDOMAIN_MAX, Rules.DNS_SUBDOMAIN_HINT);
            }
            if (errors.required("spec.upstream.credentialsSecret.namespace", secret.getNamespace())) {
                errors.matches("spec.upstream.credentialsSecret.namespace", secret.getNamespace(), Rules.DNS_LABEL,
                        Names.DNS_LABEL_MAX, "a namespace name");
            }
        }
        errors.matches("spec.upstream.tagFreshness", upstream.getTagFreshness(), Rules.FRESHNESS,
                Upstream.FRESHNESS_MAX, "a duration such as 30m, 6h or 1h30m, or Never");
        if (upstream.getTagFreshness() != null && Rules.FRESHNESS.matcher(upstream.getTagFreshness()).matches()) {
            try {
                upstream.tagFreshnessPeriod();
            } catch (IllegalArgumentException e) {
                errors.add("spec.upstream.tagFreshness", e.getMessage());
            }
        }
    }

    private static void validateMembers(RegistrySpec spec, RegistryType type, String name, FieldErrors errors) {
        if (type != RegistryType.VIRTUAL) {
            errors.forbidden("spec.members", spec.getMembers(), "only allowed when spec.type is Virtual");
            errors.forbidden("spec.deployTo", spec.getDeployTo(), "only allowed when spec.type is Virtual");
            return;
        }
        if (spec.getMembers() == null || spec.getMembers().isEmpty()) {
            errors.add("spec.members", "required when spec.type is Virtual",
                    "list the registries to resolve over, in order");
            errors.forbidden("spec.deployTo", spec.getDeployTo(), "must be one of spec.members");
            return;
        }
        errors.list("spec.members", spec.getMembers(), RegistrySpec.MAX_LIST, Rules.DNS_LABEL, Names.DNS_LABEL_MAX,
                Rules.DNS_LABEL_HINT);
        if (name != null && spec.getMembers().contains(name)) {
            errors.add("spec.members", "must not name the registry itself");
        }
        String deployTo = spec.getDeployTo();
        errors.matches("spec.deployTo", deployTo, Rules.DNS_LABEL, Names.DNS_LABEL_MAX, Rules.DNS_LABEL_HINT);
        if (deployTo != null && spec.getMembers().stream().noneMatch(m -> Objects.equals(m, deployTo))) {
            errors.add("spec.deployTo", "must be one of spec.members " + spec.getMembers());
        }
    }
}
