package dev.gantry.registry.storage;

import java.time.Instant;
import java.util.List;

/** One promotion as recorded: what (repository, digest, tags), from where, to where, by whom, when. */
public record PromotionRecord(String id, String repository, String from, String to, String digest, List<String> tags,
        String actor, Instant promotedAt) {
}
