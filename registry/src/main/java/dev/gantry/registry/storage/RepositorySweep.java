package dev.gantry.registry.storage;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What garbage collection removes from one repository, decided from what the repository holds. Pure: the
 * collector reads the holdings inside the transaction that applies the decision, so nothing changes in between.
 *
 * <p>Rules: a manifest is a root (kept) when a tag points at it, when it was promoted into the repository, or when it
 * is younger than the registry's untagged retention (never expires without one). Whatever a kept manifest needs is
 * kept too: an index's child manifests, the referrers whose subject it is, and the blobs of them all. A link to a
 * blob no kept manifest needs is removed once it is older than the grace period (a client uploads layers before
 * the manifest that names them).
 */
final class RepositorySweep {
    private RepositorySweep() {
    }

    /**
     * A repository's holdings.
     *
     * @param manifests held manifest → when it was (last) pushed or promoted, epoch ms
     * @param tagged manifests a tag points at
     * @param promoted manifests recorded as promoted into the repository
     * @param childManifests manifest → the manifests it references (an index's children)
     * @param childBlobs manifest → the blobs it references (config and layers)
     * @param referrers subject → the held manifests that name it as subject
     * @param links linked blob (or manifest bytes) → when it was (last) linked, epoch ms
     * @param created when the repository was created, epoch ms
     * @param otherRows tags and open upload sessions: while there are any, the repository stays
     */
    record Holdings(Map<String, Long> manifests, Set<String> tagged, Set<String> promoted,
            Map<String, List<String>> childManifests, Map<String, List<String>> childBlobs,
            Map<String, List<String>> referrers, Map<String, Long> links, long created, long otherRows) {
    }

    /** The removals: manifests the repository stops holding, links it drops, and whether the repository goes. */
    record Decision(Set<String> manifests, Set<String> links, boolean repository) {
        boolean isEmpty() {
            return manifests.isEmpty() && links.isEmpty() && !repository;
        }
    }

    /**
     * @param manifestCutoff untagged, unpromoted manifests pushed before this (epoch ms) expire; {@code Long.MIN_VALUE}
     *     when the registry keeps them forever
     * @param linkCutoff unneeded links made before this (epoch ms) are removed (now minus the grace period)
     */
    static Decision decide(Holdings h, long manifestCutoff, long linkCutoff) {
        Set<String> kept = new LinkedHashSet<>();
        for (Map.Entry<String, Long> m : h.manifests().entrySet()) {
            String digest = m.getKey();
            boolean expired = m.getValue() < manifestCutoff && !h.tagged().contains(digest)
                    && !h.promoted().contains(digest);
            if (!expired) {
                kept.add(digest);
            }
        }
        Deque<String> todo = new ArrayDeque<>(kept);
        while (!todo.isEmpty()) {
            String manifest = todo.pop();
            for (String needed : concat(h.childManifests().get(manifest), h.referrers().get(manifest))) {
                if (h.manifests().containsKey(needed) && kept.add(needed)) {
                    todo.push(needed);
                }
            }
        }
        Set<String> removed = new LinkedHashSet<>(h.manifests().keySet());
        removed.removeAll(kept);

        Set<String> needed = new HashSet<>(kept);
        for (String manifest : kept) {
            needed.addAll(h.childBlobs().getOrDefault(manifest, List.of()));
            needed.addAll(h.childManifests().getOrDefault(manifest, List.of()));
        }
        Set<String> links = new LinkedHashSet<>();
        for (Map.Entry<String, Long> link : h.links().entrySet()) {
            if (!needed.contains(link.getKey()) && link.getValue() < linkCutoff) {
                links.add(link.getKey());
            }
        }
        boolean empty = kept.isEmpty() && links.size() == h.links().size() && h.otherRows() == 0
                && h.created() < linkCutoff;
        return new Decision(removed, links, empty);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        if (a == null) {
            return b == null ? List.of() : b;
        }
        if (b == null) {
            return a;
        }
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
