package dev.gantry.registry.management;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/promotions}: promote {@code digest} (or what {@code tag} points at) of {@code repository} from
 * one registry to another. {@code id} makes retries idempotent (the operator sends the Promotion's UID).
 */
public record PromotionRequest(String id, String repository, String from, String to, String digest, String tag,
        String expectedDigest, List<String> targetTags, Boolean withReferrers, Map<String, String> properties) {
}
