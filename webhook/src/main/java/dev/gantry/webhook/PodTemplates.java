package dev.gantry.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.webhook.PodImagePolicy.ContainerImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each kind the webhook checks keeps its pod spec: a Pod's own, a workload's template (so {@code kubectl apply}
 * of a Deployment fails at once instead of its ReplicaSet failing to create pods later, out of sight).
 */
public final class PodTemplates {
    /** group/kind → JSON path from the object to the pod spec. */
    private static final Map<String, String[]> SPEC_PATHS = Map.of(
            "/Pod", new String[] {"spec"},
            "apps/Deployment", new String[] {"spec", "template", "spec"},
            "apps/StatefulSet", new String[] {"spec", "template", "spec"},
            "apps/DaemonSet", new String[] {"spec", "template", "spec"},
            "apps/ReplicaSet", new String[] {"spec", "template", "spec"},
            "batch/Job", new String[] {"spec", "template", "spec"},
            "batch/CronJob", new String[] {"spec", "jobTemplate", "spec", "template", "spec"});

    private static final String[][] CONTAINER_LISTS = {
        {"containers", "container"}, {"initContainers", "init container"},
        {"ephemeralContainers", "ephemeral container"}};

    private PodTemplates() {
    }

    public static boolean handles(String group, String kind) {
        return SPEC_PATHS.containsKey(group + "/" + kind);
    }

    /**
     * The images of every container, init container and ephemeral container in the object's pod spec; empty when
     * the object has none (absent object or spec).
     */
    public static List<ContainerImage> images(String group, String kind, JsonNode object) {
        List<ContainerImage> images = new ArrayList<>();
        Optional<JsonNode> spec = podSpec(group, kind, object);
        if (spec.isEmpty()) {
            return images;
        }
        for (String[] list : CONTAINER_LISTS) {
            JsonNode containers = spec.get().path(list[0]);
            if (!containers.isArray()) {
                continue;
            }
            for (JsonNode container : containers) {
                JsonNode image = container.path("image");
                images.add(new ContainerImage(list[1], container.path("name").asText("?"),
                        image.isTextual() ? image.asText() : null));
            }
        }
        return images;
    }

    private static Optional<JsonNode> podSpec(String group, String kind, JsonNode object) {
        String[] path = SPEC_PATHS.get(group + "/" + kind);
        if (path == null || object == null) {
            return Optional.empty();
        }
        JsonNode node = object;
        for (String field : path) {
            node = node.path(field);
        }
        return node.isObject() ? Optional.of(node) : Optional.empty();
    }
}
