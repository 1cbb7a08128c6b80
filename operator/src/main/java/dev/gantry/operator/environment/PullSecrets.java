package dev.gantry.operator.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.api.v1alpha1.Environment;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@code kubernetes.io/dockerconfigjson} Secrets the operator writes: what they hold, how they are labelled (so
 * the operator finds its own and never touches anyone else's) and the robot account behind each.
 */
public final class PullSecrets {
    public static final String ENVIRONMENT_LABEL = "gantry.dev/environment";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "gantry-operator";
    /** The robot account whose credential the Secret holds. */
    public static final String CREDENTIAL_ANNOTATION = "gantry.dev/credential";
    /** The registry that robot may pull from. */
    public static final String REGISTRY_ANNOTATION = "gantry.dev/registry";
    /** When the credential was issued or last rotated (RFC 3339). */
    public static final String ROTATED_AT_ANNOTATION = "gantry.dev/rotated-at";
    public static final String TYPE = "kubernetes.io/dockerconfigjson";
    public static final String KEY = ".dockerconfigjson";
    private static final int ROBOT_NAME_MAX = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PullSecrets() {
    }

    /**
     * The robot account for one environment in one namespace: one per namespace, so leaving an environment revokes
     * exactly that namespace's access. Long names keep a readable prefix and a hash of the whole.
     */
    public static String robotName(String environment, String namespace) {
        String name = "env." + environment + "." + namespace;
        if (name.length() <= ROBOT_NAME_MAX) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            String prefix = name.substring(0, ROBOT_NAME_MAX - 9).replaceAll("[._-]+$", "");
            return prefix + "-" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Secret build(Environment environment, String namespace, String name, String registry,
            String robot, String password, List<String> hosts, Instant rotatedAt) {
        ObjectNode auths = JSON.createObjectNode();
        ObjectNode byHost = auths.putObject("auths");
        String auth = Base64.getEncoder().encodeToString((robot + ":" + password).getBytes(StandardCharsets.UTF_8));
        for (String host : hosts) {
            byHost.putObject(host).put("username", robot).put("password", password).put("auth", auth);
        }
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(ENVIRONMENT_LABEL, environment.getMetadata().getName())
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                .addToAnnotations(CREDENTIAL_ANNOTATION, robot)
                .addToAnnotations(REGISTRY_ANNOTATION, registry)
                .addToAnnotations(ROTATED_AT_ANNOTATION, rotatedAt.toString())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(environment.getApiVersion())
                        .withKind(environment.getKind()).withName(environment.getMetadata().getName())
                        .withUid(environment.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withType(TYPE)
                .withData(Map.of(KEY, Base64.getEncoder().encodeToString(auths.toString()
                        .getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    public static boolean ownedBy(Secret secret, String environment) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && environment.equals(labels.get(ENVIRONMENT_LABEL))
                && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL));
    }

    /** Written by the operator for a different environment. */
    public static boolean managedByAnotherEnvironment(Secret secret, String environment) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
                && labels.get(ENVIRONMENT_LABEL) != null && !environment.equals(labels.get(ENVIRONMENT_LABEL));
    }

    public static String annotation(Secret secret, String key) {
        Map<String, String> annotations = secret.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    public static Optional<Instant> rotatedAt(Secret secret) {
        try {
            return Optional.ofNullable(annotation(secret, ROTATED_AT_ANNOTATION)).map(Instant::parse);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The password the Secret holds for {@code robot}, if it is readable. */
    public static Optional<String> password(Secret secret) {
        return config(secret).flatMap(auths -> {
            var hosts = auths.fields();
            return hosts.hasNext() ? Optional.ofNullable(hosts.next().getValue().path("password").asText(null))
                    : Optional.empty();
        });
    }

    /** The hosts the Secret has credentials for. */
    public static List<String> hosts(Secret secret) {
        List<String> hosts = new ArrayList<>();
        config(secret).ifPresent(auths -> auths.fieldNames().forEachRemaining(hosts::add));
        return hosts;
    }

    public static boolean sameHosts(Secret secret, List<String> hosts) {
        return new TreeSet<>(hosts(secret)).equals(new TreeSet<>(hosts));
    }

    private static Optional<JsonNode> config(Secret secret) {
        if (secret.getData() == null || secret.getData().get(KEY) == null) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(Base64.getDecoder().decode(secret.getData().get(KEY)));
            JsonNode auths = root.path("auths");
            return auths.isObject() ? Optional.of(auths) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
