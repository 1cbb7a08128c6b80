package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionPhase;
import dev.gantry.api.v1alpha1.PromotionSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole flow on a real cluster (Kind, set up by {@code e2e/kind.sh up}: Gantry from deploy/overlays/kind and the
 * example pipeline): an image pushed to dev through the NodePort, promoted to qa by a Promotion resource, run in the
 * qa namespace by digest — pulled by the kubelet from Gantry with the pull Secret the operator wrote — while a dev
 * image or a tag is refused at admission with the webhook's message. Run with {@code e2e/kind.sh test}.
 */
class PipelineE2E {
    private static final String REGISTRY = System.getenv().getOrDefault("GANTRY_E2E_REGISTRY", "localhost:30500");
    private static final String NAMESPACE = "shop-qa";
    private static KubernetesClient kube;
    private static Clients clients;
    private static String tag;
    private static String digest;

    @BeforeAll
    static void pushAnImageToDevAndPromoteIt() throws Exception {
        kube = new KubernetesClientBuilder().build();
        Path work = Files.createDirectories(Path.of("target", "e2e-" + UUID.randomUUID().toString().substring(0, 8)));
        clients = new Clients(work.resolve("clients.log"));
        String skopeo = Clients.require("skopeo", "skopeo");
        tag = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        // A real image with a shell, so the pod runs: copied from Docker Hub (the Kind machine has the network).
        Path digestFile = work.resolve("digest");
        clients.ok(Duration.ofMinutes(5), List.of(skopeo, "--insecure-policy", "copy", "--digestfile",
                digestFile.toString(), "--dest-cert-dir", env("GANTRY_E2E_CA_DIR"), "--dest-creds", "admin:"
                        + env("GANTRY_E2E_ADMIN_PASSWORD"), "docker://docker.io/library/busybox:1.36",
                "docker://" + REGISTRY + "/dev/shop/app:" + tag));
        digest = Files.readString(digestFile).trim();

        kube.resource(new Promotion(NAMESPACE, tag, PromotionSpec.ofTag("shop/app", "dev", "qa", tag))).create();
        Promotion done = Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> kube.resources(Promotion.class)
                .inNamespace(NAMESPACE).withName(tag).get(), p -> p.getStatus() != null
                        && p.getStatus().getPhase() != null && p.getStatus().getPhase() != PromotionPhase.PENDING);
        assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(PromotionPhase.SUCCEEDED);
        assertThat(done.getStatus().getDigest()).isEqualTo(digest);
    }

    @AfterAll
    static void close() {
        if (kube != null) {
            kube.close();
        }
    }

    @Test
    void aPromotedDigestRunsInQaPulledWithTheOperatorsPullSecret() {
        String name = "promoted-" + tag;
        kube.resource(pod(name, REGISTRY + "/qa/shop/app@" + digest)).create();

        Pod running = Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> kube.pods().inNamespace(NAMESPACE)
                .withName(name).get(), p -> "Running".equals(p.getStatus().getPhase()));
        assertThat(running.getStatus().getContainerStatuses().get(0).getImageID()).endsWith(digest);
        assertThat(running.getSpec().getImagePullSecrets()).extracting(r -> r.getName()).contains("gantry-pull");
        kube.resource(running).delete();
    }

    @Test
    void aDevImageIsRefusedWithTheWebhooksMessage() {
        String image = REGISTRY + "/dev/shop/app@" + digest;
        assertThatThrownBy(() -> kube.resource(pod("dev-" + tag, image)).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("container \"app\": image \"" + image + "\" comes from registry \"dev\", but "
                        + "namespace \"" + NAMESPACE + "\" belongs to environment \"qa\", which runs images from "
                        + "registry \"qa\" only");
    }

    @Test
    void aTagIsRefusedWithTheWebhooksMessage() {
        String image = REGISTRY + "/qa/shop/app:" + tag;
        assertThatThrownBy(() -> kube.resource(pod("tag-" + tag, image)).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("container \"app\": image \"" + image + "\" is not pinned by digest; use "
                        + REGISTRY + "/qa/shop/app@sha256:<digest>");
    }

    private static Pod pod(String name, String image) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image)
                .withCommand("sleep", "3600").endContainer().endSpec().build();
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the suite with e2e/kind.sh test");
        }
        return value;
    }
}
