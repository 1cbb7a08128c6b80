package dev.gantry.registry.management;

import dev.gantry.api.reference.Digest;
import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.api.reference.RepositoryPath;
import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.registries.RegistryType;
import dev.gantry.registry.storage.PromotionPlan;
import dev.gantry.registry.storage.PromotionRecord;
import dev.gantry.registry.storage.PromotionRefusedException;
import dev.gantry.registry.storage.PromotionStore;
import dev.gantry.registry.storage.RepositoryName;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Checks a promotion request against the registries' declared paths, then carries it out as one transaction. */
public final class PromotionService {
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

    private final Registries registries;
    private final PromotionStore store;

    public PromotionService(Registries registries, PromotionStore store) {
        this.registries = registries;
        this.store = store;
    }

    public PromotionRecord promote(PromotionRequest request, String actor) {
        String id = request.id() == null ? UUID.randomUUID().toString() : request.id();
        if (!ID.matcher(id).matches()) {
            throw ApiError.INVALID_REQUEST.exception("id must be 1-253 letters, digits, '.', '_', ':' or '-'");
        }
        String repository = repository(request.repository());
        RegistryDefinition from = registry(request.from(), "from");
        RegistryDefinition to = registry(request.to(), "to");
        if (to.type() != RegistryType.Local) {
            throw ApiError.PROMOTION_NOT_ALLOWED.exception("registry " + to.name() + " is " + to.type()
                    + "; only Local registries receive promotions");
        }
        if (!to.promotionSourcesOrEmpty().contains(from.name())) {
            throw ApiError.PROMOTION_NOT_ALLOWED.exception("registry " + to.name() + " receives promotions from "
                    + (to.promotionSourcesOrEmpty().isEmpty() ? "no registry"
                    : String.join(", ", to.promotionSourcesOrEmpty()) + " only") + ", not from " + from.name());
        }
        if ((request.digest() == null) == (request.tag() == null)) {
            throw ApiError.INVALID_REQUEST.exception("exactly one of digest and tag must be given");
        }
        if (request.expectedDigest() != null && request.tag() == null) {
            throw ApiError.INVALID_REQUEST.exception("expectedDigest goes with tag");
        }
        if (request.tag() != null) {
            tag(request.tag(), "tag");
        }
        List<String> targetTags = request.targetTags();
        if (targetTags != null) {
            targetTags.forEach(t -> tag(t, "targetTags"));
            targetTags = targetTags.stream().distinct().toList();
        }
        Map<String, String> properties = request.properties() == null ? Map.of() : request.properties();
        properties.forEach((k, v) -> {
            if (k == null || k.isBlank() || k.length() > 255 || v == null) {
                throw ApiError.INVALID_REQUEST.exception("properties need non-empty names (at most 255 characters) "
                        + "and values");
            }
        });
        PromotionPlan plan = new PromotionPlan(id, new RepositoryName(from.name(), repository),
                new RepositoryName(to.name(), repository), digest(request.digest(), "digest"), request.tag(),
                digest(request.expectedDigest(), "expectedDigest"), targetTags,
                !Boolean.FALSE.equals(request.withReferrers()), Boolean.TRUE.equals(to.immutableTags()), properties,
                actor);
        try {
            return store.promote(plan);
        } catch (PromotionRefusedException e) {
            throw ApiError.valueOf(e.reason().name()).exception(e.getMessage());
        }
    }

    RegistryDefinition registry(String name, String field) {
        if (name == null) {
            throw ApiError.INVALID_REQUEST.exception(field + " is required");
        }
        return registries.find(name).orElseThrow(() -> ApiError.REGISTRY_UNKNOWN.exception("no registry named "
                + name));
    }

    static String repository(String repository) {
        if (repository == null) {
            throw ApiError.INVALID_REQUEST.exception("repository is required, e.g. team/app");
        }
        try {
            return RepositoryPath.parse(repository).value();
        } catch (InvalidReferenceException e) {
            throw ApiError.INVALID_REQUEST.exception(e.getMessage());
        }
    }

    static Digest digest(String digest, String field) {
        if (digest == null) {
            return null;
        }
        try {
            return Digest.parse(digest);
        } catch (InvalidReferenceException e) {
            throw ApiError.INVALID_REQUEST.exception(field + ": " + e.getMessage());
        }
    }

    static void tag(String tag, String field) {
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw ApiError.INVALID_REQUEST.exception(field + ": invalid tag \"" + tag + "\"");
        }
    }
}
