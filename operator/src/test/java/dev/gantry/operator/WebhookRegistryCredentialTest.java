package dev.gantry.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WebhookRegistryCredentialTest extends OperatorTest {
    private static final String SECRET = "gantry-webhook-registry";

    @Test
    void theWebhookGetsAPullOnlyCredentialForEveryRegistryAndItIsRotated() throws Exception {
        String name = unique("seen-by-webhook");
        client.resource(new Registry(name, RegistrySpec.local())).create();
        eventually().until(() -> registryServer.admin("/api/v1/registries/" + name).statusCode() == 200);
        String digest = registryServer.pushImage(name, "team/app", "1.0");

        Secret secret = eventually().until(this::secret, s -> s != null && s.getData() != null);
        String username = decode(secret, "username");
        String password = decode(secret, "password");
        String manifest = "/v2/" + name + "/team/app/manifests/" + digest;
        assertThat(username).isEqualTo("gantry-webhook");
        assertThat(registryServer.as(username, password, manifest).statusCode()).isEqualTo(200);
        assertThat(registryServer.statusOf("POST", "/v2/" + name + "/team/app/blobs/uploads/", username, password))
                .as("pull only").isEqualTo(403);

        // Due for rotation once its rotated-at is older than the rotation period (24 h).
        client.secrets().inNamespace("gantry-system").withName(SECRET).edit(s -> {
            s.getMetadata().getAnnotations().put("gantry.dev/rotated-at", Instant.now().minusSeconds(90_000)
                    .toString());
            return s;
        });
        Secret rotated = eventually().until(this::secret, s -> !decode(s, "password").equals(password));
        assertThat(registryServer.as(username, decode(rotated, "password"), manifest).statusCode()).isEqualTo(200);
        eventually().until(() -> registryServer.as(username, password, manifest).statusCode() == 401);
    }

    private Secret secret() {
        return client.secrets().inNamespace("gantry-system").withName(SECRET).get();
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
