package dev.gantry.registry.clients;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Read access to an OCI image layout on disk (index.json plus blobs/sha256/...), as umoci and skopeo write them. */
public record OciLayout(Path dir) {

    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    /** A content descriptor: media type, digest, size. */
    public record Descriptor(String mediaType, String digest, long size) {
    }

    public JsonObject index() {
        return new JsonObject(io.vertx.core.buffer.Buffer.buffer(read(dir.resolve("index.json"))));
    }

    /** The descriptor that index.json names with the given tag (ref.name annotation). */
    public Descriptor resolve(String tag) {
        JsonArray manifests = index().getJsonArray("manifests");
        for (int i = 0; i < manifests.size(); i++) {
            JsonObject descriptor = manifests.getJsonObject(i);
            JsonObject annotations = descriptor.getJsonObject("annotations");
            if (annotations != null && tag.equals(annotations.getString(REF_NAME))) {
                return descriptor(descriptor);
            }
        }
        throw new AssertionError("no tag '" + tag + "' in " + dir.resolve("index.json") + ": " + index().encode());
    }

    public Path blobPath(String digest) {
        int colon = digest.indexOf(':');
        return dir.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    public boolean hasBlob(String digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    public byte[] blob(String digest) {
        return read(blobPath(digest));
    }

    public JsonObject json(String digest) {
        return new JsonObject(io.vertx.core.buffer.Buffer.buffer(blob(digest)));
    }

    /**
     * Every descriptor reachable from a root manifest or index, root first: child manifests of an index, and each
     * manifest's config and layers. Keyed by digest.
     */
    public Map<String, Descriptor> reachable(Descriptor root) {
        Map<String, Descriptor> found = new LinkedHashMap<>();
        walk(root, found);
        return found;
    }

    private void walk(Descriptor descriptor, Map<String, Descriptor> found) {
        if (found.putIfAbsent(descriptor.digest(), descriptor) != null) {
            return;
        }
        if (isIndex(descriptor.mediaType())) {
            JsonArray manifests = json(descriptor.digest()).getJsonArray("manifests");
            for (int i = 0; i < manifests.size(); i++) {
                walk(descriptor(manifests.getJsonObject(i)), found);
            }
        } else if (isManifest(descriptor.mediaType())) {
            JsonObject manifest = json(descriptor.digest());
            JsonObject config = manifest.getJsonObject("config");
            found.putIfAbsent(config.getString("digest"), descriptor(config));
            JsonArray layers = manifest.getJsonArray("layers");
            for (int i = 0; i < layers.size(); i++) {
                JsonObject layer = layers.getJsonObject(i);
                found.putIfAbsent(layer.getString("digest"), descriptor(layer));
            }
        }
    }

    public static boolean isIndex(String mediaType) {
        return INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
    }

    public static boolean isManifest(String mediaType) {
        return MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    public static Descriptor descriptor(JsonObject json) {
        return new Descriptor(json.getString("mediaType"), json.getString("digest"), json.getLong("size"));
    }

    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    public static String sha256(Path file) {
        MessageDigest digest = sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
