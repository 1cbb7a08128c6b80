package dev.gantry.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.clients.OciLayout.Descriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** Byte-for-byte comparison of images: manifest digests and the sha256 of every blob. */
public final class ImageAssertions {

    private ImageAssertions() {
    }

    /**
     * Asserts that {@code actualTag} in {@code actual} is the very image that {@code expectedTag} is in
     * {@code expected}: the same root digest and, for every blob reachable from it, a file whose bytes are identical
     * and whose sha256 and size match the descriptor.
     */
    public static void assertSameImage(OciLayout expected, String expectedTag, OciLayout actual, String actualTag) {
        Descriptor expectedRoot = expected.resolve(expectedTag);
        Descriptor actualRoot = actual.resolve(actualTag);
        assertThat(actualRoot.digest()).as("root manifest digest of %s:%s", actual.dir(), actualTag)
                .isEqualTo(expectedRoot.digest());
        assertThat(actualRoot.mediaType()).as("root media type").isEqualTo(expectedRoot.mediaType());
        Map<String, Descriptor> blobs = expected.reachable(expectedRoot);
        assertThat(blobs).hasSizeGreaterThanOrEqualTo(2);
        for (Descriptor blob : blobs.values()) {
            assertThat(actual.hasBlob(blob.digest())).as("pulled layout %s holds blob %s (%s)", actual.dir(),
                    blob.digest(), blob.mediaType()).isTrue();
            assertThat(OciLayout.sha256(actual.blobPath(blob.digest()))).as("sha256 of pulled blob %s", blob.digest())
                    .isEqualTo(blob.digest());
            assertThat(size(actual, blob)).as("size of pulled blob %s", blob.digest()).isEqualTo(blob.size());
            try {
                assertThat(Files.mismatch(expected.blobPath(blob.digest()), actual.blobPath(blob.digest())))
                        .as("first differing byte of blob %s", blob.digest()).isEqualTo(-1L);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(actual.reachable(actualRoot).keySet()).as("blobs reachable in the pulled image")
                .containsExactlyInAnyOrderElementsOf(blobs.keySet());
    }

    /** Asserts that every blob reachable from {@code tag} exists and hashes to its digest (no reference image). */
    public static void assertSelfConsistent(OciLayout layout, String tag) {
        Descriptor root = layout.resolve(tag);
        for (Descriptor blob : layout.reachable(root).values()) {
            assertThat(layout.hasBlob(blob.digest())).as("layout %s holds blob %s", layout.dir(), blob.digest())
                    .isTrue();
            assertThat(OciLayout.sha256(layout.blobPath(blob.digest()))).as("sha256 of blob").isEqualTo(blob.digest());
            assertThat(size(layout, blob)).as("size of blob %s", blob.digest()).isEqualTo(blob.size());
        }
    }

    private static long size(OciLayout layout, Descriptor blob) {
        try {
            return Files.size(layout.blobPath(blob.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
