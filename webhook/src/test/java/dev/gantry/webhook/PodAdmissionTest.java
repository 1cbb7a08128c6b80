package dev.gantry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** AdmissionReviews in the exact shape kube-apiserver sends (src/test/resources/admission), and the policy's cases. */
@QuarkusTest
class PodAdmissionTest extends WebhookTest {
    private static final String PAUSE = "registry.k8s.io/pause:3.9";

    private String qa(String digest) {
        return HOST + "/qa/team/app@" + digest;
    }

    private String dev(String digest) {
        return HOST + "/dev/team/app@" + digest;
    }

    private JsonNode podCreate(String namespace, String app, String init, String sidecar, boolean dryRun)
            throws Exception {
        return JSON.readTree(fixture("pod-create.json", Map.of("NAMESPACE", namespace, "APP_IMAGE", app,
                "INIT_IMAGE", init, "SIDECAR_IMAGE", sidecar, "DRY_RUN", Boolean.toString(dryRun))));
    }

    @Test
    void aPodOfPromotedDigestsIsAllowedAndAnExemptImageOnlyWarns() throws Exception {
        JsonNode response = response(podCreate("shop-qa", qa(promoted), qa(promoted), PAUSE, false));
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("warnings")).singleElement().satisfies(w -> assertThat(w.asText())
                .isEqualTo("container \"sidecar\": image \"" + PAUSE + "\" is admitted without checks by environment "
                        + "\"qa\"'s exemptImages pattern \"registry.k8s.io/pause:*\""));
    }

    @Test
    void theDenialNamesEveryOffendingContainerWithItsReason() throws Exception {
        JsonNode response = response(podCreate("shop-qa", HOST + "/qa/team/app:1.2", dev(promoted), qa(promoted),
                false));
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).isEqualTo(
                "container \"app\": image \"" + HOST + "/qa/team/app:1.2\" is not pinned by digest; use " + HOST
                        + "/qa/team/app@sha256:<digest>; "
                        + "init container \"migrate\": image \"" + dev(promoted) + "\" comes from registry \"dev\", but "
                        + "namespace \"shop-qa\" belongs to environment \"qa\", which runs images from registry \"qa\" "
                        + "only");
    }

    @Test
    void aDryRunGetsTheSameAnswer() throws Exception {
        JsonNode real = response(podCreate("shop-qa", dev(promoted), qa(promoted), qa(promoted), false));
        JsonNode dryRun = response(podCreate("shop-qa", dev(promoted), qa(promoted), qa(promoted), true));
        assertThat(dryRun.path("allowed").asBoolean()).isFalse();
        assertThat(dryRun.path("status")).isEqualTo(real.path("status"));
    }

    @Test
    void anUpdateChecksOnlyTheImagesItChanges() throws Exception {
        // The sidecar was admitted before this policy existed; a label change must not strand the pod.
        Map<String, String> values = Map.of("NAMESPACE", "shop-qa", "OLD_IMAGE", dev(promoted),
                "OLD_SIDECAR", dev(devOnly), "NEW_IMAGE", qa(promoted));
        assertThat(response(JSON.readTree(fixture("pod-update.json", values))).path("allowed").asBoolean()).isTrue();

        JsonNode toTag = response(JSON.readTree(fixture("pod-update.json", Map.of("NAMESPACE", "shop-qa",
                "OLD_IMAGE", qa(promoted), "OLD_SIDECAR", dev(devOnly), "NEW_IMAGE", HOST + "/qa/team/app:1.0"))));
        assertThat(toTag.path("allowed").asBoolean()).isFalse();
        assertThat(toTag.path("status").path("message").asText()).startsWith("container \"app\": ")
                .doesNotContain("sidecar");
    }

    @Test
    void anEphemeralDebugContainerIsCheckedLikeAnyOther() throws Exception {
        JsonNode denied = response(JSON.readTree(fixture("pod-ephemeralcontainers.json", Map.of(
                "NAMESPACE", "shop-qa", "APP_IMAGE", qa(promoted), "DEBUG_IMAGE", "busybox:1.36"))));
        assertThat(denied.path("allowed").asBoolean()).isFalse();
        assertThat(denied.path("status").path("message").asText()).isEqualTo("ephemeral container "
                + "\"debugger-x7k2p\": image \"busybox:1.36\" does not come from the Gantry registry (" + HOST + "); "
                + "namespace \"shop-qa\" belongs to environment \"qa\", which runs images from " + HOST + "/qa only");

        JsonNode allowed = response(JSON.readTree(fixture("pod-ephemeralcontainers.json", Map.of(
                "NAMESPACE", "shop-qa", "APP_IMAGE", qa(promoted), "DEBUG_IMAGE", qa(promoted)))));
        assertThat(allowed.path("allowed").asBoolean()).isTrue();
    }

    @Test
    void workloadTemplatesAreCheckedSoApplyFailsAtOnce() throws Exception {
        for (String kind : List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")) {
            String file = kind.toLowerCase() + "-create.json";
            JsonNode denied = response(JSON.readTree(fixture(file, Map.of("UID", "uid-" + kind,
                    "NAMESPACE", "shop-qa", "APP_IMAGE", HOST + "/qa/team/app:1.0"))));
            assertThat(denied.path("allowed").asBoolean()).as(kind).isFalse();
            assertThat(denied.path("status").path("message").asText()).as(kind)
                    .isEqualTo(kind + " shop: container \"app\": image \"" + HOST + "/qa/team/app:1.0\" is not "
                            + "pinned by digest; use " + HOST + "/qa/team/app@sha256:<digest>");
            JsonNode allowed = response(JSON.readTree(fixture(file, Map.of("UID", "uid-ok-" + kind,
                    "NAMESPACE", "shop-qa", "APP_IMAGE", qa(promoted)))));
            assertThat(allowed.path("allowed").asBoolean()).as(kind).isTrue();
        }
    }

    @Test
    void warnModeAllowsAndReturnsTheSameTextsAsWarnings() throws Exception {
        JsonNode response = response(pod("shop-warn", dev(promoted)));
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("warnings")).singleElement().satisfies(w -> assertThat(w.asText())
                .isEqualTo("container \"c0\": image \"" + dev(promoted) + "\" comes from registry \"dev\", but "
                        + "namespace \"shop-warn\" belongs to environment \"qa-warn\", which runs images from "
                        + "registry \"qa\" only"));
    }

    @Test
    void aNamespaceSelectedByTwoEnvironmentsIsDeniedWithAnExplanation() throws Exception {
        assertThat(message(pod("shared", qa(promoted)))).isEqualTo("namespace \"shared\" is selected by "
                + "environments \"shared-a\" and \"shared-b\"; a namespace belongs to one environment only, so its "
                + "pods are refused until the environments' namespaceSelectors are fixed");
    }

    @Test
    void namespacesOutsideEveryEnvironmentAndSystemNamespacesPass() throws Exception {
        assertThat(allowed(pod("plain", "nginx:1.25", dev(promoted)))).isTrue();
        assertThat(allowed(pod("kube-system", "registry.k8s.io/coredns/coredns:v1.11.1"))).isTrue();
        assertThat(allowed(pod("shop-lenient", HOST + "/qa/team/app:1.0"))).isTrue();
        assertThat(message(pod("shop-lenient", dev(promoted)))).contains("comes from registry \"dev\"");
    }

    @Test
    void aDigestIsAdmittedOnceItIsPromotedAndRemembered() throws Exception {
        String fresh = registryServer.pushImage("dev", "team/fresh", "1.0");
        String image = HOST + "/qa/team/fresh@" + fresh;
        assertThat(message(pod("shop-qa", image))).contains("was never promoted to registry \"qa\"");

        assertThat(registryServer.adminPost("/api/v1/promotions", "{\"repository\":\"team/fresh\",\"from\":\"dev\","
                + "\"to\":\"qa\",\"digest\":\"" + fresh + "\"}")).isEqualTo(201);
        // "not held" is believed for negative-ttl (1 s here), then asked again.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> allowed(pod("shop-qa", image)));

        String unseen = registryServer.pushImage("dev", "team/fresh", "2.0");
        registryServer.stop();
        try {
            assertThat(allowed(pod("shop-qa", image))).as("a promoted digest is remembered").isTrue();
            assertThat(message(pod("shop-qa", HOST + "/qa/team/fresh@" + unseen)))
                    .contains("could not be checked against registry \"qa\"").contains("refused until it can be");
        } finally {
            registryServer.start();
        }
    }

    @Test
    void deletionsAreNotChecked() throws Exception {
        var review = pod("shop-qa", dev(promoted));
        ((com.fasterxml.jackson.databind.node.ObjectNode) review.path("request")).put("operation", "DELETE");
        assertThat(allowed(review)).isTrue();
    }

    @Test
    void admissionsAreCountedByKindAndOutcome() throws Exception {
        response(pod("shop-qa", dev(promoted)));
        String metrics = RestAssured.given().relaxedHTTPSValidation().baseUri("https://localhost")
                .port(httpsPort()).get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("gantry_webhook_admissions_total{kind=\"Pod\",outcome=\"denied\"}");
    }
}
