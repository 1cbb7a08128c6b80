package dev.gantry.registry.oci;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.api.reference.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the manifest parser must decide, written down plainly from the OCI image and distribution specs and Gantry's
 * documented limits, independently of {@link ManifestParser}: the oracle of its fuzz tests. Empty when the manifest
 * must be refused, else exactly what must be read from it.
 */
final class ManifestRules {
    /** ManifestParser's documented nesting limit: a manifest is a flat document. */
    static final int MAX_NESTING = 64;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");

    private ManifestRules() {
    }

    static Optional<ParsedManifest> expected(byte[] body, String contentType) {
        JsonNode root;
        try {
            // One JSON value in UTF-8 and nothing after it, as every client's JSON decoder reads a manifest.
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            root = JSON.readTree(text);
        } catch (CharacterCodingException | com.fasterxml.jackson.core.JacksonException e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject() || depth(root) > MAX_NESTING) {
            return Optional.empty();
        }
        JsonNode schemaVersion = root.get("schemaVersion");
        if (schemaVersion == null || !schemaVersion.isIntegralNumber() || !schemaVersion.canConvertToInt()
                || schemaVersion.intValue() != 2) {
            return Optional.empty();
        }
        String declared = root.path("mediaType").isTextual() ? root.get("mediaType").textValue() : null;
        String header = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        String type = header.isEmpty() ? declared : header;
        if (type == null || !MediaTypes.MANIFESTS.contains(type) || (declared != null && !declared.equals(type))) {
            return Optional.empty();
        }
        List<Digest> blobs = new ArrayList<>();
        List<Digest> manifests = new ArrayList<>();
        String artifactType = root.path("artifactType").isTextual() ? root.get("artifactType").textValue() : null;
        if (MediaTypes.INDEXES.contains(type)) {
            JsonNode children = root.get("manifests");
            if (children == null || !children.isArray()) {
                return Optional.empty();
            }
            for (JsonNode child : children) {
                Optional<Digest> digest = descriptor(child);
                if (digest.isEmpty()) {
                    return Optional.empty();
                }
                manifests.add(digest.get());
            }
        } else {
            JsonNode config = root.get("config");
            Optional<Digest> configDigest = config == null ? Optional.empty() : descriptor(config);
            if (configDigest.isEmpty()) {
                return Optional.empty();
            }
            blobs.add(configDigest.get());
            JsonNode layers = root.get("layers");
            if (layers != null && !layers.isNull()) {
                if (!layers.isArray()) {
                    return Optional.empty();
                }
                for (JsonNode layer : layers) {
                    Optional<Digest> digest = descriptor(layer);
                    if (digest.isEmpty()) {
                        return Optional.empty();
                    }
                    // Foreign (non-distributable) layers live elsewhere by design; the registry needs only the rest.
                    JsonNode mediaType = layer.path("mediaType");
                    if (!mediaType.isTextual() || !MediaTypes.FOREIGN_LAYERS.contains(mediaType.textValue())) {
                        blobs.add(digest.get());
                    }
                }
            }
            if (artifactType == null && type.equals(MediaTypes.OCI_MANIFEST) && config.path("mediaType").isTextual()) {
                artifactType = config.get("mediaType").textValue();
            }
        }
        JsonNode subjectNode = root.get("subject");
        Digest subject = null;
        if (subjectNode != null && !subjectNode.isNull()) {
            Optional<Digest> digest = descriptor(subjectNode);
            if (digest.isEmpty()) {
                return Optional.empty();
            }
            subject = digest.get();
        }
        JsonNode annotations = root.get("annotations");
        return Optional.of(new ParsedManifest(type, blobs, manifests, subject, artifactType,
                annotations != null && annotations.isObject() ? annotations.toString() : null));
    }

    /** A descriptor: an object with a digest Gantry accepts and an int64 size that is not negative. */
    private static Optional<Digest> descriptor(JsonNode node) {
        if (!node.isObject()) {
            return Optional.empty();
        }
        JsonNode digest = node.get("digest");
        JsonNode size = node.get("size");
        if (digest == null || !digest.isTextual() || !DIGEST.matcher(digest.textValue()).matches()
                || size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
            return Optional.empty();
        }
        return Optional.of(Digest.parse(digest.textValue()));
    }

    /** Nesting depth as a streaming parser counts it: the root object is 1. */
    static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) {
            deepest = Math.max(deepest, depth(child));
        }
        return node.isContainerNode() ? deepest + 1 : 0;
    }
}
