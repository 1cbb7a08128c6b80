package dev.gantry.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionPhase;
import dev.gantry.api.v1alpha1.PromotionSpec;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PromotionReconcilerTest extends OperatorTest {
    private static final String NAMESPACE = "shop";

    @Test
    void aPromotionByTagSucceedsRecordingExactlyTheDigestTheRegistryPromoted() throws Exception {
        Stages stages = stages();
        String digest = registryServer.pushImage(stages.dev(), "team/app", "1.2");
        Promotion promotion = create(PromotionSpec.ofTag("team/app", stages.dev(), stages.qa(), "1.2"));

        Promotion done = awaitFinished(promotion);
        assertThat(done.getStatus().getPhase()).isEqualTo(PromotionPhase.SUCCEEDED);
        assertThat(done.getStatus().getDigest()).isEqualTo(digest);
        assertThat(done.getStatus().getPromotedAt()).isNotBlank();
        Condition succeeded = condition(done.getStatus().getConditions(), Conditions.SUCCEEDED);
        assertThat(succeeded.getStatus()).isEqualTo("True");
        assertThat(succeeded.getReason()).isEqualTo("Promoted");

        assertThat(registryServer.admin("/v2/" + stages.qa() + "/team/app/manifests/" + digest).statusCode())
                .isEqualTo(200);
        assertThat(registryServer.admin("/v2/" + stages.qa() + "/team/app/manifests/1.2").statusCode())
                .isEqualTo(200);
        JsonNode record = registryServer.adminJson("/api/v1/promotions/" + done.getMetadata().getUid());
        assertThat(record.path("digest").asText()).isEqualTo(digest);
        assertThat(record.path("from").asText()).isEqualTo(stages.dev());
        assertThat(record.path("actor").asText()).as("recorded under the operator's credential").isEqualTo("admin");
        assertThat(eventReasons(done)).contains(EventReason.Promoted.name());
    }

    @Test
    void aPromotionFromAnUnlistedSourceFailsWithTheRegistrysReason() throws Exception {
        Stages stages = stages();
        String digest = registryServer.pushImage(stages.qa(), "team/app", "2.0");
        // qa → dev is not a declared path: dev takes no promotions at all.
        Promotion promotion = create(PromotionSpec.ofDigest("team/app", stages.qa(), stages.dev(), digest));

        Promotion done = awaitFinished(promotion);
        assertThat(done.getStatus().getPhase()).isEqualTo(PromotionPhase.FAILED);
        Condition succeeded = condition(done.getStatus().getConditions(), Conditions.SUCCEEDED);
        assertThat(succeeded.getStatus()).isEqualTo("False");
        assertThat(succeeded.getReason()).isEqualTo("PROMOTION_NOT_ALLOWED");
        assertThat(succeeded.getMessage()).contains(stages.qa());
        assertThat(registryServer.admin("/v2/" + stages.dev() + "/team/app/manifests/" + digest).statusCode())
                .isEqualTo(404);
        assertThat(eventReasons(done)).contains(EventReason.PromotionFailed.name());
    }

    @Test
    void aPromotionOfAnUnknownDigestFailsWithSourceUnknown() throws Exception {
        Stages stages = stages();
        Promotion promotion = create(PromotionSpec.ofDigest("team/app", stages.dev(), stages.qa(),
                "sha256:" + "0".repeat(64)));

        Promotion done = awaitFinished(promotion);
        assertThat(done.getStatus().getPhase()).isEqualTo(PromotionPhase.FAILED);
        assertThat(condition(done.getStatus().getConditions(), Conditions.SUCCEEDED).getReason())
                .isEqualTo("SOURCE_UNKNOWN");
    }

    @Test
    void anInvalidPromotionFailsWithoutAskingTheRegistry() throws Exception {
        Stages stages = stages();
        PromotionSpec spec = PromotionSpec.ofTag("team/app", stages.dev(), stages.qa(), "1.0");
        spec.setDigest("sha256:" + "1".repeat(64)); // both tag and digest: the CRD's CEL would refuse it
        Promotion done = awaitFinished(create(spec));

        assertThat(done.getStatus().getPhase()).isEqualTo(PromotionPhase.FAILED);
        assertThat(condition(done.getStatus().getConditions(), Conditions.SUCCEEDED).getReason())
                .isEqualTo("InvalidSpec");
        assertThat(registryServer.admin("/api/v1/promotions/" + done.getMetadata().getUid()).statusCode())
                .as("no promotion was asked for").isEqualTo(404);
    }

    @Test
    void reApplyingASucceededPromotionChangesNothingAndDeletingItDoesNotUnpromote() throws Exception {
        Stages stages = stages();
        String digest = registryServer.pushImage(stages.dev(), "team/app", "3.0");
        Promotion done = awaitFinished(create(PromotionSpec.ofTag("team/app", stages.dev(), stages.qa(), "3.0")));
        String promotedAt = done.getStatus().getPromotedAt();
        // Move the source tag: acting on the Promotion again would promote a different digest.
        String moved = registryServer.pushImage(stages.dev(), "team/app", "3.0");

        // What a GitOps tool does on every sync: apply the same object (metadata may change, the spec cannot).
        client.resources(Promotion.class).inNamespace(NAMESPACE).withName(done.getMetadata().getName()).edit(p -> {
            p.getMetadata().getLabels().put("argocd.argoproj.io/instance", "shop");
            return p;
        });
        Thread.sleep(1500);

        Promotion after = client.resources(Promotion.class).inNamespace(NAMESPACE)
                .withName(done.getMetadata().getName()).get();
        assertThat(after.getStatus().getDigest()).isEqualTo(digest);
        assertThat(after.getStatus().getPromotedAt()).isEqualTo(promotedAt);
        assertThat(registryServer.admin("/v2/" + stages.qa() + "/team/app/manifests/" + moved).statusCode())
                .isEqualTo(404);
        assertThat(registryServer.adminJson("/api/v1/promotions?digest=" + digest)).hasSize(1);

        client.resource(after).delete();
        eventually().until(() -> client.resources(Promotion.class).inNamespace(NAMESPACE)
                .withName(done.getMetadata().getName()).get() == null);
        assertThat(registryServer.admin("/v2/" + stages.qa() + "/team/app/manifests/" + digest).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aRegistryOutageLeavesThePromotionPendingAndItSucceedsOnRecovery() throws Exception {
        Stages stages = stages();
        String digest = registryServer.pushImage(stages.dev(), "team/app", "4.0");
        Promotion promotion;
        registryServer.stop();
        try {
            promotion = create(PromotionSpec.ofDigest("team/app", stages.dev(), stages.qa(), digest));
            Promotion pending = eventually().until(() -> get(promotion), p -> p.getStatus() != null
                    && p.getStatus().getPhase() == PromotionPhase.PENDING);
            Condition waiting = condition(pending.getStatus().getConditions(), Conditions.SUCCEEDED);
            assertThat(waiting.getStatus()).isEqualTo("False");
            assertThat(waiting.getReason()).isEqualTo("REGISTRY_UNREACHABLE");
            assertThat(waiting.getMessage()).contains("retrying");
            assertThat(eventReasons(pending)).contains(EventReason.PromotionRetrying.name());
        } finally {
            registryServer.start();
        }

        Promotion done = awaitFinished(promotion);
        assertThat(done.getStatus().getPhase()).isEqualTo(PromotionPhase.SUCCEEDED);
        assertThat(done.getStatus().getDigest()).isEqualTo(digest);
        assertThat(registryServer.admin("/v2/" + stages.qa() + "/team/app/manifests/" + digest).statusCode())
                .isEqualTo(200);
    }

    @Test
    void promotionsAndReconciliationsAreCountedInTheMetrics() throws Exception {
        Stages stages = stages();
        String digest = registryServer.pushImage(stages.dev(), "team/app", "5.0");
        awaitFinished(create(PromotionSpec.ofDigest("team/app", stages.dev(), stages.qa(), digest)));

        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("gantry_operator_promotions_total{outcome=\"succeeded\"}");
        assertThat(metrics).containsPattern(
                "gantry_operator_reconciliations_total\\{action=\"reconcile\",kind=\"promotion\",outcome=\"success\"}");
        assertThat(metrics).contains("gantry_operator_reconciliation_duration_seconds_count{action=\"reconcile\","
                + "kind=\"registry\"");
    }

    /** A fresh dev → qa pair of Registry resources, ready on the server. */
    private Stages stages() {
        String dev = unique("dev");
        String qa = unique("qa");
        client.resource(new Registry(dev, RegistrySpec.local())).create();
        RegistrySpec qaSpec = RegistrySpec.local();
        qaSpec.setPromotionSources(List.of(dev));
        client.resource(new Registry(qa, qaSpec)).create();
        for (String name : List.of(dev, qa)) {
            eventually().until(() -> client.resources(Registry.class).withName(name).get(), r -> r.getStatus() != null
                    && Conditions.isTrue(r.getStatus().getConditions(), Conditions.READY));
        }
        return new Stages(dev, qa);
    }

    private record Stages(String dev, String qa) {
    }

    private Promotion create(PromotionSpec spec) {
        return client.resource(new Promotion(NAMESPACE, unique("promo"), spec)).create();
    }

    private Promotion get(Promotion promotion) {
        return client.resources(Promotion.class).inNamespace(NAMESPACE).withName(promotion.getMetadata().getName())
                .get();
    }

    private Promotion awaitFinished(Promotion promotion) {
        return eventually().until(() -> get(promotion), p -> p.getStatus() != null && p.getStatus().getPhase() != null
                && p.getStatus().getPhase() != PromotionPhase.PENDING);
    }
}
