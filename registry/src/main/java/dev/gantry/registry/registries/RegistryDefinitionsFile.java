package dev.gantry.registry.registries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads registries from a YAML file of {@code gantry.dev/v1alpha1 Registry} resources (several documents, or a
 * {@code List}), so a GitOps folder can drive a standalone registry with the same files it applies to a cluster.
 */
public final class RegistryDefinitionsFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RegistryDefinitionsFile() {
    }

    public static List<RegistryDefinition> read(Path file) {
        List<RegistryDefinition> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(Files.newBufferedReader(file))) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                if ("List".equals(doc.path("kind").asText()) || doc.has("items")) {
                    for (JsonNode item : doc.path("items")) {
                        out.add(toDefinition(item, file));
                    }
                } else {
                    out.add(toDefinition(doc, file));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read registries from " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static RegistryDefinition toDefinition(JsonNode doc, Path file) {
        String kind = doc.path("kind").asText();
        String apiVersion = doc.path("apiVersion").asText();
        String name = doc.path("metadata").path("name").asText(null);
        if (!"Registry".equals(kind) || !apiVersion.startsWith("gantry.dev/")) {
            throw new IllegalArgumentException(file + ": expected kind Registry of apiVersion gantry.dev/v1alpha1, "
                    + "found kind '" + kind + "' of apiVersion '" + apiVersion + "'" + (name == null ? "" : " (" + name + ")"));
        }
        if (name == null) {
            throw new IllegalArgumentException(file + ": a Registry without metadata.name");
        }
        JsonNode spec = doc.path("spec");
        try {
            RegistryDefinition parsed = YAML.treeToValue(spec, RegistryDefinition.class);
            return parsed.withName(name);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": registry " + name + ": " + e.getMessage(), e);
        }
    }
}
