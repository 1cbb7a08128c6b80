package dev.gantry.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.reference.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    @TempDir
    Path data;

    @Test
    void aBlobLivesUnderItsAlgorithmAndTheFirstTwoHexDigits() throws Exception {
        BlobStore store = new BlobStore(data);
        byte[] content = "hello".getBytes();
        Digest digest = sha256(content);
        store.place(store.stage(content), digest);
        Path expected = data.resolve("blobs/sha256").resolve(digest.encoded().substring(0, 2))
                .resolve(digest.encoded());
        assertThat(expected).hasBinaryContent(content);
        assertThat(store.exists(digest)).isTrue();
    }

    @Test
    void aCommittedUploadMovesIntoPlaceAndLeavesNoStagingFile() throws Exception {
        BlobStore store = new BlobStore(data);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        Files.write(store.uploadPath(id), "layer".getBytes());
        Digest digest = sha256("layer".getBytes());
        store.prepareUpload(id);
        store.placeUpload(id, digest);
        assertThat(store.path(digest)).hasBinaryContent("layer".getBytes());
        assertThat(uploads()).isEmpty();
    }

    @Test
    void uploadingContentThatIsAlreadyStoredKeepsOneCopy() throws Exception {
        BlobStore store = new BlobStore(data);
        Digest digest = sha256("same".getBytes());
        for (int i = 0; i < 3; i++) {
            String id = UUID.randomUUID().toString();
            store.createUpload(id);
            Files.write(store.uploadPath(id), "same".getBytes());
            store.prepareUpload(id);
        store.placeUpload(id, digest);
        }
        try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(1);
        }
        assertThat(uploads()).isEmpty();
    }

    @Test
    void anUploadIdThatIsNotAUuidCannotNameAFile() {
        BlobStore store = new BlobStore(data);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.uploadPath("../../blobs/x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Stream<Path> uploads() throws IOException {
        return Files.list(data.resolve("uploads")).toList().stream();
    }

    private static Digest sha256(byte[] content) throws Exception {
        return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }
}
