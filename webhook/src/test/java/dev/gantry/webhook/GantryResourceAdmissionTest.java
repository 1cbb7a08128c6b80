package dev.gantry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionSpec;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registries, Promotions and Environments are held to the shared api validators, also where CEL is unavailable. */
@QuarkusTest
class GantryResourceAdmissionTest extends WebhookTest {

    @Test
    void aRemoteRegistryWithoutUpstreamIsDeniedWithTheFieldPath() throws Exception {
        RegistrySpec spec = RegistrySpec.remote("https://registry-1.docker.io");
        spec.setUpstream(null);
        JsonNode response = response(review("Registry", "registries", null, JSON.valueToTree(new Registry("hub",
                spec)), null, "CREATE"));
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).startsWith("Registry hub is invalid: ")
                .contains("spec.upstream");
    }

    @Test
    void aRegistrysTypeCannotChange() throws Exception {
        JsonNode old = JSON.valueToTree(new Registry("stage", RegistrySpec.local()));
        JsonNode changed = JSON.valueToTree(new Registry("stage", RegistrySpec.virtual(java.util.List.of("dev"))));
        JsonNode response = response(review("Registry", "registries", null, changed, old, "UPDATE"));
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).contains("spec.type");
    }

    @Test
    void aPromotionsSpecIsImmutableButItsMetadataIsNot() throws Exception {
        Promotion original = new Promotion("shop", "app-1", PromotionSpec.ofTag("team/app", "dev", "qa", "1.0"));
        Promotion relabelled = new Promotion("shop", "app-1", PromotionSpec.ofTag("team/app", "dev", "qa", "1.0"));
        relabelled.getMetadata().getLabels().put("team", "shop");
        Promotion retargeted = new Promotion("shop", "app-1", PromotionSpec.ofTag("team/app", "dev", "prod", "1.0"));

        assertThat(allowed(review("Promotion", "promotions", "shop", JSON.valueToTree(original), null, "CREATE")))
                .isTrue();
        assertThat(allowed(review("Promotion", "promotions", "shop", JSON.valueToTree(relabelled),
                JSON.valueToTree(original), "UPDATE"))).isTrue();
        JsonNode refused = response(review("Promotion", "promotions", "shop", JSON.valueToTree(retargeted),
                JSON.valueToTree(original), "UPDATE"));
        assertThat(refused.path("allowed").asBoolean()).isFalse();
        assertThat(refused.path("status").path("message").asText()).contains("spec: is immutable");
    }

    @Test
    void aPromotionWithBothTagAndDigestIsDenied() throws Exception {
        PromotionSpec spec = PromotionSpec.ofTag("team/app", "dev", "qa", "1.0");
        spec.setDigest("sha256:" + "a".repeat(64));
        JsonNode response = response(review("Promotion", "promotions", "shop", JSON.valueToTree(new Promotion("shop",
                "both", spec)), null, "CREATE"));
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).startsWith("Promotion both is invalid: ");
    }

    private static ObjectNode review(String kind, String resource, String namespace, JsonNode object, JsonNode old,
            String operation) {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1")
                .put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", UUID.randomUUID().toString())
                .put("operation", operation).put("name", object.path("metadata").path("name").asText());
        if (namespace != null) {
            request.put("namespace", namespace);
        }
        request.putObject("kind").put("group", "gantry.dev").put("version", "v1alpha1").put("kind", kind);
        request.putObject("resource").put("group", "gantry.dev").put("version", "v1alpha1").put("resource", resource);
        request.set("object", object);
        if (old != null) {
            request.set("oldObject", old);
        }
        return review;
    }
}
