package dev.gantry.registry.api;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

/** Test helpers speaking the OCI distribution API over HTTP, as a client would. */
final class Oci {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    private Oci() {
    }

    static String uniqueRepo(String registry) {
        return registry + "/t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "/app";
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Monolithic single-request upload (POST ?digest=). */
    static String pushBlob(String repo, byte[] content) {
        String digest = sha256(content);
        given().contentType("application/octet-stream").body(content)
                .post("/v2/" + repo + "/blobs/uploads/?digest=" + digest)
                .then().statusCode(201);
        return digest;
    }

    static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    /** An image manifest over a config and layers (pushed first); returns its bytes. */
    static byte[] imageManifest(String repo, long seed, String subjectDescriptor, String artifactType) {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(2048, seed);
        String configDigest = pushBlob(repo, config);
        String layerDigest = pushBlob(repo, layer);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + (artifactType == null ? "" : "\"artifactType\":\"" + artifactType + "\",")
                + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + descriptor("application/vnd.oci.image.layer.v1.tar", layerDigest, layer.length)
                + "]" + (subjectDescriptor == null ? "" : ",\"subject\":" + subjectDescriptor) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] index(List<String> childDescriptors) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + childDescriptors.stream().collect(Collectors.joining(",")) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    static Response putManifest(String repo, String reference, String mediaType, byte[] manifest) {
        return given().contentType(mediaType).body(manifest).put("/v2/" + repo + "/manifests/" + reference);
    }

    /** Pushes a whole image under a tag; returns the manifest digest. */
    static String pushImage(String repo, String tag, long seed) {
        byte[] manifest = imageManifest(repo, seed, null, null);
        putManifest(repo, tag, OCI_MANIFEST, manifest).then().statusCode(201);
        return sha256(manifest);
    }
}
