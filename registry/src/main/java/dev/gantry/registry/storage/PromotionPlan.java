package dev.gantry.registry.storage;

import dev.gantry.api.reference.Digest;
import java.util.List;
import java.util.Map;

/**
 * A checked promotion request: the registries are known and the path is allowed; what remains is decided inside the
 * transaction (the source's current state, the target's tags).
 *
 * @param targetTags the tags to set in the target; null means "the source tag, if promoting by tag"
 */
public record PromotionPlan(String id, RepositoryName source, RepositoryName target, Digest digest, String tag,
        Digest expectedDigest, List<String> targetTags, boolean withReferrers, boolean immutableTags,
        Map<String, String> properties, String actor) {
}
