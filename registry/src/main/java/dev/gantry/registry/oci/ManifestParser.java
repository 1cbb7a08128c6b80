package dev.gantry.registry.oci;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonFactory;
import dev.gantry.api.reference.Digest;
import dev.gantry.api.reference.InvalidReferenceException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a pushed manifest just enough to store it safely: its media type, the blobs or child manifests it needs, and
 * its subject. The bytes themselves are stored as they came; nothing is re-serialised.
 */
public final class ManifestParser {
    /** Manifests are flat documents; a deeply nested one is an attack, not an image. */
    private static final int MAX_NESTING = 64;
    // Trailing tokens refused: "{...} junk" would be stored, and every client would fail to read it.
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ManifestParser() {
    }

    /**
     * @param contentType the request's Content-Type (may be null: the body's mediaType then decides)
     */
    public static ParsedManifest parse(byte[] body, String contentType) {
        JsonNode root;
        try {
            // Decoded strictly first: Jackson would also take UTF-16 or malformed UTF-8, which clients cannot read.
            root = JSON.readTree(UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            throw OciError.MANIFEST_INVALID.exception("manifest is not UTF-8");
        } catch (JsonProcessingException e) {
            throw OciError.MANIFEST_INVALID.exception("manifest is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw OciError.MANIFEST_INVALID.exception("manifest must be a JSON object");
        }
        String declared = text(root, "mediaType");
        String type = mediaType(contentType, declared, root);
        // The JSON integer 2: not "2", 2.0, or a larger number that truncates to 2.
        JsonNode schemaVersion = root.path("schemaVersion");
        if (!schemaVersion.isIntegralNumber() || !schemaVersion.canConvertToInt() || schemaVersion.intValue() != 2) {
            throw OciError.MANIFEST_INVALID.exception("schemaVersion must be 2");
        }
        List<Digest> blobs = new ArrayList<>();
        List<Digest> manifests = new ArrayList<>();
        String artifactType = text(root, "artifactType");
        if (MediaTypes.INDEXES.contains(type)) {
            for (JsonNode child : array(root, "manifests", true)) {
                manifests.add(descriptorDigest(child, "manifests[]"));
            }
        } else {
            JsonNode config = root.get("config");
            if (config == null || !config.isObject()) {
                throw OciError.MANIFEST_INVALID.exception("an image manifest needs a config descriptor");
            }
            blobs.add(descriptorDigest(config, "config"));
            for (JsonNode layer : array(root, "layers", false)) {
                Digest digest = descriptorDigest(layer, "layers[]");
                String layerType = text(layer, "mediaType");
                if (layerType == null || !MediaTypes.FOREIGN_LAYERS.contains(layerType)) {
                    blobs.add(digest);
                }
            }
            if (artifactType == null && MediaTypes.OCI_MANIFEST.equals(type)) {
                artifactType = text(config, "mediaType"); // the spec's fallback for the referrers API
            }
        }
        JsonNode subjectNode = root.get("subject");
        Digest subject = subjectNode == null || subjectNode.isNull() ? null : descriptorDigest(subjectNode, "subject");
        JsonNode annotations = root.get("annotations");
        String annotationsJson = annotations != null && annotations.isObject() ? annotations.toString() : null;
        return new ParsedManifest(type, blobs, manifests, subject, artifactType, annotationsJson);
    }

    private static String mediaType(String contentType, String declared, JsonNode root) {
        String fromHeader = contentType == null ? null : contentType.split(";", 2)[0].trim();
        if (fromHeader != null && fromHeader.isEmpty()) {
            fromHeader = null;
        }
        String type = fromHeader != null ? fromHeader : declared;
        if (type == null && root.path("schemaVersion").asInt(-1) == 1) {
            type = MediaTypes.DOCKER_SCHEMA1;
        }
        if (MediaTypes.DOCKER_SCHEMA1.equals(type) || MediaTypes.DOCKER_SCHEMA1_SIGNED.equals(type)
                || root.path("schemaVersion").asInt(-1) == 1) {
            throw OciError.MANIFEST_INVALID.exception("Docker schema 1 manifests are not supported (deprecated and "
                    + "insecure); push the image with a current client, which writes schema 2 or OCI manifests");
        }
        if (type == null) {
            throw OciError.MANIFEST_INVALID.exception("manifest media type unknown: send a Content-Type header or a "
                    + "mediaType field");
        }
        if (!MediaTypes.MANIFESTS.contains(type)) {
            throw OciError.MANIFEST_INVALID.exception("unsupported manifest media type '" + type + "'; expected one of "
                    + MediaTypes.OCI_MANIFEST + ", " + MediaTypes.OCI_INDEX + ", " + MediaTypes.DOCKER_MANIFEST + ", "
                    + MediaTypes.DOCKER_MANIFEST_LIST);
        }
        if (declared != null && !declared.equals(type)) {
            throw OciError.MANIFEST_INVALID.exception("the manifest's mediaType '" + declared + "' does not match "
                    + "its Content-Type '" + type + "'");
        }
        return type;
    }

    private static Iterable<JsonNode> array(JsonNode root, String field, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw OciError.MANIFEST_INVALID.exception("missing '" + field + "'");
            }
            return List.of();
        }
        if (!node.isArray()) {
            throw OciError.MANIFEST_INVALID.exception("'" + field + "' must be an array");
        }
        return node;
    }

    private static Digest descriptorDigest(JsonNode descriptor, String where) {
        if (!descriptor.isObject()) {
            throw OciError.MANIFEST_INVALID.exception(where + " must be a descriptor object");
        }
        String digest = text(descriptor, "digest");
        if (digest == null) {
            throw OciError.MANIFEST_INVALID.exception(where + " has no digest");
        }
        JsonNode size = descriptor.path("size");
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) { // an int64, as specified
            throw OciError.MANIFEST_INVALID.exception(where + " " + digest + " has no valid size");
        }
        try {
            return Digest.parse(digest);
        } catch (InvalidReferenceException e) {
            throw OciError.MANIFEST_INVALID.exception(where + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
