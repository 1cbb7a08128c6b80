package dev.gantry.registry.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Hostile manifests (issue 9). For any body and Content-Type the parser either refuses with MANIFEST_INVALID or
 * returns exactly what {@link ManifestRules} reads from the JSON: the media type, the blobs and child manifests in
 * order, the subject, the artifact type and the annotations. Plain builds replay the committed inputs under
 * {@code src/test/resources/.../ManifestParserFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes (README, "Fuzzing").
 */
class ManifestParserFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final String[] CONTENT_TYPES = {null, "", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
        MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.OCI_MANIFEST + "; charset=utf-8",
        " " + MediaTypes.OCI_INDEX + " ;", MediaTypes.DOCKER_SCHEMA1, MediaTypes.DOCKER_SCHEMA1_SIGNED,
        "application/json", "application/vnd.oci.image.manifest.v1+JSON"};
    private static final String[] MEDIA_TYPES = {MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
        MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_SCHEMA1,
        "application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", MediaTypes.OCI_EMPTY, "", "x"};
    private static final String HEX = "0123456789abcdef";

    /** Any bytes, under each of the interesting Content-Types (the inputs are plain bodies, readable as files). */
    @FuzzTest
    @DictionaryEntries({"\"schemaVersion\":2", "\"mediaType\":", "\"config\":", "\"layers\":", "\"manifests\":",
        "\"subject\":", "\"digest\":", "\"size\":", "\"annotations\":", "\"artifactType\":",
        "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"",
        "\"application/vnd.oci.image.manifest.v1+json\"", "\"application/vnd.oci.image.index.v1+json\"",
        "\"application/vnd.docker.distribution.manifest.v2+json\"",
        "\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\"", "[[[[[[[[", "1e400", "-0", "\\u0000"})
    void anyBodyIsReadExactlyAsTheRulesSayOrRefusedAsInvalid(byte[] body) {
        for (String contentType : CONTENT_TYPES) {
            assertParsedAsTheRulesSay(body, contentType);
        }
    }

    /**
     * Manifests assembled from descriptors the fuzzer shapes (valid, or broken in one of the ways that matter: digest
     * spelling, size type and sign, missing fields, wrong node types, foreign layers, deep nesting, header and body
     * disagreeing), so that deep, almost-valid documents are the norm rather than the exception.
     */
    @FuzzTest
    void manifestsBuiltFromFuzzedDescriptorsAreReadExactlyAsTheRulesSay(FuzzedDataProvider data) {
        ObjectNode root = NODES.objectNode();
        String contentType = data.pickValue(CONTENT_TYPES);
        for (int field = data.consumeInt(0, 10); field > 0 && data.remainingBytes() > 0; field--) {
            switch (data.consumeInt(0, 9)) {
                case 0 -> root.set("schemaVersion", schemaVersion(data));
                case 1 -> root.set("mediaType", data.consumeBoolean() ? NODES.textNode(data.pickValue(MEDIA_TYPES))
                        : NODES.numberNode(2));
                case 2 -> root.set("config", descriptor(data));
                case 3 -> root.set("layers", descriptors(data));
                case 4 -> root.set("manifests", descriptors(data));
                case 5 -> root.set("subject", data.consumeBoolean() ? NODES.nullNode() : descriptor(data));
                case 6 -> root.set("annotations", annotations(data));
                case 7 -> root.set("artifactType", data.consumeBoolean() ? NODES.textNode(data.consumeAsciiString(40))
                        : NODES.booleanNode(true));
                case 8 -> root.set("x-nested", nested(data.consumeInt(1, 80)));
                default -> root.put(data.consumeAsciiString(12), data.consumeAsciiString(12));
            }
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertParsedAsTheRulesSay(body, contentType);
    }

    private static void assertParsedAsTheRulesSay(byte[] body, String contentType) {
        Optional<ParsedManifest> expected = ManifestRules.expected(body, contentType);
        ParsedManifest parsed;
        try {
            parsed = ManifestParser.parse(body, contentType);
        } catch (OciException e) {
            assertThat(e.error()).as("error code").isEqualTo(OciError.MANIFEST_INVALID);
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.detail()).as("detail").isNotBlank();
            if (expected.isPresent()) {
                fail("refused a manifest the rules accept (%s): %s under %s, rules: %s", e.detail(), show(body),
                        contentType, expected.get());
            }
            return;
        }
        if (expected.isEmpty()) {
            fail("accepted a manifest the rules refuse: %s under %s, read as %s", show(body), contentType, parsed);
            return;
        }
        ParsedManifest want = expected.get();
        assertThat(parsed.mediaType()).as("media type").isEqualTo(want.mediaType());
        assertThat(parsed.blobs()).as("blobs").containsExactlyElementsOf(want.blobs());
        assertThat(parsed.manifests()).as("manifests").containsExactlyElementsOf(want.manifests());
        assertThat(parsed.subject()).as("subject").isEqualTo(want.subject());
        assertThat(parsed.artifactType()).as("artifact type").isEqualTo(want.artifactType());
        assertThat(tree(parsed.annotationsJson())).as("annotations").isEqualTo(tree(want.annotationsJson()));
    }

    private static String show(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        return text.length() > 2000 ? text.substring(0, 2000) + "..." : text;
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("annotations are not JSON: " + json, e);
        }
    }

    private static JsonNode schemaVersion(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 6)) {
            case 0 -> NODES.numberNode(1);
            case 1 -> NODES.textNode("2");
            case 2 -> NODES.numberNode(2.0);
            case 3 -> NODES.numberNode(4_294_967_298L); // 2 once truncated to an int
            case 4 -> NODES.nullNode();
            case 5 -> NODES.numberNode(data.consumeInt());
            default -> NODES.numberNode(2);
        };
    }

    private static ArrayNode descriptors(FuzzedDataProvider data) {
        ArrayNode array = NODES.arrayNode();
        for (int i = data.consumeInt(0, 5); i > 0; i--) {
            array.add(descriptor(data));
        }
        return array;
    }

    private static JsonNode descriptor(FuzzedDataProvider data) {
        if (data.consumeInt(0, 15) == 0) {
            return data.consumeBoolean() ? NODES.textNode(digest(data)) : NODES.arrayNode();
        }
        ObjectNode descriptor = NODES.objectNode();
        if (data.consumeInt(0, 5) > 0) {
            descriptor.put("mediaType", data.pickValue(MEDIA_TYPES));
        }
        if (data.consumeInt(0, 10) > 0) {
            descriptor.set("digest", data.consumeInt(0, 10) > 0 ? NODES.textNode(digest(data)) : NODES.numberNode(1));
        }
        if (data.consumeInt(0, 10) > 0) {
            descriptor.set("size", size(data));
        }
        return descriptor;
    }

    private static String digest(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 9)) {
            case 0 -> "sha512:" + hex(data, 128);
            case 1 -> "sha256:" + hex(data, 64).toUpperCase(java.util.Locale.ROOT);
            case 2 -> "sha256:" + hex(data, data.consumeInt(0, 70));
            case 3 -> "sha384:" + hex(data, 96);
            case 4 -> data.consumeAsciiString(80);
            case 5, 6 -> "sha256:" + "ab".repeat(32); // the same blob twice: order and repeats must survive
            default -> "sha256:" + hex(data, 64);
        };
    }

    private static JsonNode size(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 9)) {
            case 0 -> NODES.numberNode(-1 - data.consumeInt(0, 1000));
            case 1 -> NODES.textNode("12");
            case 2 -> NODES.numberNode(1.5);
            case 3 -> NODES.numberNode(2.0);
            case 4 -> NODES.numberNode(BigInteger.TWO.pow(70));
            case 5 -> NODES.nullNode();
            case 6 -> NODES.numberNode(Long.MAX_VALUE);
            default -> NODES.numberNode(data.consumeLong(0, 1L << 40));
        };
    }

    private static JsonNode annotations(FuzzedDataProvider data) {
        if (data.consumeInt(0, 4) == 0) {
            return data.consumeBoolean() ? NODES.textNode("x") : NODES.nullNode();
        }
        ObjectNode annotations = NODES.objectNode();
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            annotations.put(data.consumeAsciiString(20), data.consumeAsciiString(40));
        }
        return annotations;
    }

    private static JsonNode nested(int depth) {
        JsonNode node = NODES.textNode("deep");
        for (int i = 0; i < depth; i++) {
            node = i % 2 == 0 ? NODES.arrayNode().add(node) : NODES.objectNode().set("n", node);
        }
        return node;
    }

    private static String hex(FuzzedDataProvider data, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(HEX.charAt(data.consumeInt(0, 15)));
        }
        return out.toString();
    }
}
