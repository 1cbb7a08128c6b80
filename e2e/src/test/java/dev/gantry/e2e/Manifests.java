package dev.gantry.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gantry.api.crd.CrdSchema;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.validation.EnvironmentValidator;
import dev.gantry.api.validation.FieldErrors;
import dev.gantry.api.validation.PromotionValidator;
import dev.gantry.api.validation.RegistryValidator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders kustomizations with the real {@code kubectl kustomize} and turns what it prints into typed objects, refusing
 * what the API server would refuse before any admission: a kind it does not serve, a field its schema does not have
 * (Fabric8's model classes keep unknown fields in {@code additionalProperties} instead of failing, so those are
 * walked and must be empty), a value of the wrong type.
 */
final class Manifests {
    static final String GROUP = "gantry.dev";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Gantry's own kinds have no additionalProperties: a misspelt field fails outright. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Map<String, Class<? extends HasMetadata>> GANTRY_KINDS = Map.of("Registry", Registry.class,
            "Environment", Environment.class, "Promotion", Promotion.class);

    private Manifests() {
    }

    /** The repository's root (set by the e2e module's surefire configuration). */
    static Path root() {
        return Path.of(System.getProperty("gantry.root", "..")).toAbsolutePath().normalize();
    }

    /** {@code kubectl kustomize DIR}, as parsed documents; skips (or, with clients required, fails) without kubectl. */
    static List<JsonNode> render(Path dir) {
        String kubectl = kubectl();
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder(kubectl, "kustomize", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("kubectl kustomize " + dir + " did not finish in 120 s");
                }
                if (process.exitValue() != 0) {
                    fail("kubectl kustomize " + root().relativize(dir) + " failed:\n" + Files.readString(err));
                }
                return documents(Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl kustomize " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<JsonNode> read(Path file) {
        try {
            return documents(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /**
     * The typed object for a built-in kind or one of Gantry's, with every problem found on the way in {@code problems}
     * (empty when the API server's schema would take it); empty for other groups (e.g. cert-manager.io).
     */
    static Optional<HasMetadata> typed(JsonNode doc, List<String> problems) {
        String apiVersion = doc.path("apiVersion").asText();
        String kind = doc.path("kind").asText();
        String what = kind + " " + doc.path("metadata").path("name").asText("(no name)");
        if (apiVersion.startsWith(GROUP + "/")) {
            Class<? extends HasMetadata> type = GANTRY_KINDS.get(kind);
            if (type == null || !apiVersion.equals(GROUP + "/v1alpha1")) {
                problems.add(what + ": gantry.dev serves Registry, Environment and Promotion in v1alpha1, not "
                        + apiVersion + " " + kind);
                return Optional.empty();
            }
            try {
                HasMetadata object = STRICT.treeToValue(doc, type);
                unknownFields(object.getMetadata(), what + " metadata", problems);
                unknownFields(((CustomResource<?, ?>) object).getSpec(), what + " spec", problems);
                return Optional.of(object);
            } catch (JsonProcessingException e) {
                problems.add(what + ": " + e.getOriginalMessage());
                return Optional.empty();
            }
        }
        if (!builtIn(apiVersion)) {
            return Optional.empty();
        }
        Class<? extends KubernetesResource> type = SERIALIZATION.getRegisteredKubernetesResource(apiVersion, kind);
        if (type == null || GenericKubernetesResource.class.equals(type)) {
            problems.add(what + ": " + apiVersion + " " + kind + " is not a Kubernetes kind");
            return Optional.empty();
        }
        try {
            HasMetadata object = (HasMetadata) SERIALIZATION.convertValue(doc, type);
            unknownFields(object, what, problems);
            return Optional.of(object);
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * What the API server and the webhook would refuse in one of Gantry's resources: the committed CRD's schema and
     * CEL rules (as {@code CrdSchema} evaluates them, since no API server runs here) and the shared Java validators.
     */
    static List<String> gantryRefusals(HasMetadata object) {
        String what = object.getKind() + " " + object.getMetadata().getName();
        String plural = switch (object) {
            case Registry r -> "registries";
            case Environment e -> "environments";
            case Promotion p -> "promotions";
            default -> throw new IllegalArgumentException("not a Gantry resource: " + what);
        };
        List<String> refusals = new ArrayList<>();
        CrdSchema.of(root().resolve("crds").resolve(plural + ".gantry.dev-v1.yml")).violations(object)
                .forEach(path -> refusals.add(what + ": the CRD refuses " + path));
        FieldErrors errors = switch (object) {
            case Registry r -> RegistryValidator.validate(r);
            case Environment e -> EnvironmentValidator.validate(e);
            case Promotion p -> PromotionValidator.validate(p);
            default -> throw new IllegalArgumentException(what);
        };
        errors.asList().forEach(error -> refusals.add(what + ": " + error));
        return refusals;
    }

    /** Core ("v1") and the k8s.io groups: the API server's own schema applies. */
    static boolean builtIn(String apiVersion) {
        if (!apiVersion.contains("/")) {
            return true;
        }
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        return !group.contains(".") || group.endsWith(".k8s.io");
    }

    /**
     * Walks the model object's JSON properties (and our CRD classes' fields, which hold Fabric8 types such as
     * LabelSelector); any non-empty additionalProperties is a field the schema lacks.
     */
    static void unknownFields(Object value, String path, List<String> problems) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "[" + k + "]", problems));
            return;
        }
        boolean ours = value.getClass().getName().startsWith("dev.gantry.api");
        if (!ours && !value.getClass().getName().startsWith("io.fabric8.kubernetes")) {
            return;
        }
        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object fieldValue = get(field, value);
                if (field.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet().stream().map(k -> "'" + k + "'")
                                .toList() + " (misspelt, or of the wrong type)");
                    }
                    continue;
                }
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (property != null || ours) {
                    unknownFields(fieldValue, path + "." + (property != null ? property.value() : field.getName()),
                            problems);
                }
            }
        }
    }

    private static Object get(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }

    /** kubectl's path; a missing one skips the calling test unless clients are required (CI). */
    static String kubectl() {
        String path = Optional.ofNullable(System.getenv("PATH")).filter(p -> !p.isBlank())
                .orElse("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isBlank() ? "." : dir, "kubectl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        String message = "'kubectl' (with its built-in kustomize) is not on PATH; install it from the Kubernetes "
                + "release packages or the Google Cloud SDK";
        if (clientsRequired()) {
            fail(message + " (clients are required: GANTRY_REQUIRE_CLIENTS is true)");
        }
        Assumptions.abort(message + " (skipping; set GANTRY_REQUIRE_CLIENTS=true to make this a failure)");
        throw new AssertionError("unreachable");
    }

    static boolean clientsRequired() {
        return isTrue(System.getenv("GANTRY_REQUIRE_CLIENTS")) || isTrue(System.getProperty("gantry.requireClients"));
    }

    private static boolean isTrue(String value) {
        return value != null && value.trim().toLowerCase(Locale.ROOT).equals("true");
    }
}
