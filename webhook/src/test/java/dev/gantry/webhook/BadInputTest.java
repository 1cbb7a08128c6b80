package dev.gantry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What is not a well-formed AdmissionReview gets a clear 400 or a denial with a message, never a stack trace. */
@QuarkusTest
class BadInputTest extends WebhookTest {

    @Test
    void aBodyThatIsNotJsonIs400WithAMessage() throws Exception {
        HttpResponse<String> response = post("{\"apiVersion\": \"admission.k8s.io/v1\", ");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("message").asText()).startsWith("the request body is not JSON");
        assertNoStackTrace(response.body());
    }

    @Test
    void jsonThatIsNotAnAdmissionReviewIs400() throws Exception {
        for (String body : new String[] {"[]", "\"hello\"", "{}", "{\"apiVersion\":\"admission.k8s.io/v1beta1\","
                + "\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"kind\":{}}}"}) {
            HttpResponse<String> response = post(body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).path("message").asText()).as(body).isNotBlank();
            assertNoStackTrace(response.body());
        }
    }

    @Test
    void aReviewOfAKindTheWebhookDoesNotCheckIsDeniedSayingSo() throws Exception {
        ObjectNode review = pod("shop-qa", "x");
        ObjectNode request = (ObjectNode) review.path("request");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "ConfigMap");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "configmaps");
        JsonNode response = response(review);
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText())
                .isEqualTo("the Gantry webhook does not check ConfigMap (configmaps): its "
                        + "ValidatingWebhookConfiguration should not send it");
    }

    @Test
    void aReviewWithoutItsObjectOrNamespaceIsDeniedSayingWhatIsMissing() throws Exception {
        ObjectNode noObject = pod("shop-qa", "x");
        ((ObjectNode) noObject.path("request")).remove("object");
        assertThat(message(noObject)).isEqualTo("the request carries no object to check");

        ObjectNode noNamespace = pod("shop-qa", "x");
        ((ObjectNode) noNamespace.path("request")).remove("namespace");
        ((ObjectNode) noNamespace.path("request").path("object").path("metadata")).remove("namespace");
        assertThat(message(noNamespace)).isEqualTo("the request names no namespace");
    }

    @Test
    void oddContainerShapesAreDeniedNotCrashedOn() throws Exception {
        ObjectNode review = pod("shop-qa", "x");
        ObjectNode spec = (ObjectNode) review.path("request").path("object").path("spec");
        spec.putArray("containers").addObject().put("name", "app").put("image", 42);
        spec.put("initContainers", "not a list");
        JsonNode response = response(review);
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).isEqualTo("container \"app\": no image is given");
    }

    private static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at dev.gantry");
    }
}
