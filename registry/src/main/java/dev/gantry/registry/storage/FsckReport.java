package dev.gantry.registry.storage;

import java.util.List;

/**
 * What one {@link Fsck} run checked and found.
 *
 * @param repair           whether the run was asked to repair
 * @param blobsChecked     files under {@code blobs/} whose content was hashed
 * @param bytesHashed      their bytes
 * @param manifestsChecked stored manifests whose references were checked
 * @param tagsChecked      tags checked
 * @param durationMillis   how long the run took
 * @param problems         every inconsistency found, in the order found; empty when the store is consistent
 */
public record FsckReport(boolean repair, long blobsChecked, long bytesHashed, long manifestsChecked,
        long tagsChecked, long durationMillis, List<FsckProblem> problems) {
}
