package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The mock as a process's client meets it: plain HTTP on 127.0.0.1, objects stored and listed, gone when closed. */
class MockApiServerTest {
    private static final Path ENVIRONMENT_CRD = Path.of("..", "crds", "environments.gantry.dev-v1.yml");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void storesWhatIsPostedAndServesItOverPlainHttp() throws Exception {
        String url;
        try (MockApiServer api = MockApiServer.start(0)) {
            url = api.url();
            assertThat(url).isEqualTo("http://127.0.0.1:" + api.port());
            assertThat(api.createCustomResourceDefinition(ENVIRONMENT_CRD)).singleElement()
                    .satisfies(crd -> assertThat(crd.getSpec().getScope()).isEqualTo("Cluster"));

            assertThat(post(url + "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                    + "{\"name\":\"shop-qa\",\"labels\":{\"gantry.dev/stage\":\"qa\"}}}").statusCode()).isEqualTo(201);
            assertThat(post(url + "/apis/gantry.dev/v1alpha1/environments", "{\"apiVersion\":\"gantry.dev/v1alpha1\","
                    + "\"kind\":\"Environment\",\"metadata\":{\"name\":\"qa\"},\"spec\":{\"registry\":\"qa\"}}")
                    .statusCode()).isEqualTo(201);

            HttpResponse<String> environment = get(url + "/apis/gantry.dev/v1alpha1/environments/qa");
            assertThat(environment.statusCode()).isEqualTo(200);
            assertThat(environment.body()).contains("\"registry\":\"qa\"");
            assertThat(api.client().namespaces().withName("shop-qa").get().getMetadata().getLabels())
                    .containsEntry("gantry.dev/stage", "qa");
        }
        assertThatThrownBy(() -> get(url + "/api/v1/namespaces")).isInstanceOf(ConnectException.class);
    }

    private HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
