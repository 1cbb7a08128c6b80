package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One kustomization as {@code kubectl kustomize} renders it: the raw documents and the typed objects. */
record Rendered(Path dir, List<JsonNode> documents, List<HasMetadata> objects, List<String> problems) {
    private static final Map<Path, Rendered> CACHE = new ConcurrentHashMap<>();

    /** Rendered once per test run; {@code relative} to the repository root. */
    static Rendered of(String relative) {
        Path dir = Manifests.root().resolve(relative).normalize();
        return CACHE.computeIfAbsent(dir, d -> {
            List<JsonNode> docs = Manifests.render(d);
            List<String> problems = new ArrayList<>();
            List<HasMetadata> objects = new ArrayList<>();
            for (JsonNode doc : docs) {
                Manifests.typed(doc, problems).ifPresent(objects::add);
            }
            return new Rendered(d, List.copyOf(docs), List.copyOf(objects), List.copyOf(problems));
        });
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertThat(found).as("%s %s in %s", type.getSimpleName(), name, dir).hasSize(1);
        return found.get(0);
    }

    /** Documents of groups we do not model (e.g. cert-manager.io), for their own checks. */
    List<JsonNode> foreign() {
        return documents.stream().filter(d -> {
            String apiVersion = d.path("apiVersion").asText();
            return !Manifests.builtIn(apiVersion) && !apiVersion.startsWith(Manifests.GROUP + "/");
        }).toList();
    }

    /** Every pod template, keyed "Kind/name". */
    Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> templates = new LinkedHashMap<>();
        all(Deployment.class).forEach(d -> templates.put("Deployment/" + d.getMetadata().getName(),
                d.getSpec().getTemplate()));
        all(StatefulSet.class).forEach(s -> templates.put("StatefulSet/" + s.getMetadata().getName(),
                s.getSpec().getTemplate()));
        all(DaemonSet.class).forEach(s -> templates.put("DaemonSet/" + s.getMetadata().getName(),
                s.getSpec().getTemplate()));
        all(Job.class).forEach(j -> templates.put("Job/" + j.getMetadata().getName(), j.getSpec().getTemplate()));
        all(CronJob.class).forEach(c -> templates.put("CronJob/" + c.getMetadata().getName(),
                c.getSpec().getJobTemplate().getSpec().getTemplate()));
        return Collections.unmodifiableMap(templates);
    }
}
