package dev.gantry.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import dev.gantry.api.v1alpha1.SecretReference;
import dev.gantry.operator.registry.RegistryReconciler;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RegistryReconcilerTest extends OperatorTest {

    @Test
    void aRegistryResourceBecomesARegistryOnTheServerAndReportsReady() throws Exception {
        String source = unique("src");
        String name = unique("qa");
        client.resource(new Registry(source, RegistrySpec.local())).create();
        RegistrySpec spec = RegistrySpec.local();
        spec.setPromotionSources(List.of(source));
        spec.setImmutableTags(true);
        spec.setUntaggedRetention("168h");
        client.resource(new Registry(name, spec)).create();

        Registry ready = eventually().until(() -> registry(name), r -> r.getStatus() != null
                && Conditions.isTrue(r.getStatus().getConditions(), Conditions.READY));
        assertThat(ready.getStatus().getUrl()).isEqualTo(RegistryServerResource.PUBLIC_HOST + "/" + name);
        assertThat(ready.getStatus().getObservedGeneration()).isEqualTo(ready.getMetadata().getGeneration());
        assertThat(ready.getStatus().getRepositories()).isZero();
        Condition condition = condition(ready.getStatus().getConditions(), Conditions.READY);
        assertThat(condition.getReason()).isEqualTo("Synced");
        assertThat(ready.getMetadata().getFinalizers()).isNotEmpty();

        JsonNode onServer = registryServer.adminJson("/api/v1/registries/" + name);
        assertThat(onServer.path("spec").path("type").asText()).isEqualTo("Local");
        assertThat(onServer.path("spec").path("promotionSources").get(0).asText()).isEqualTo(source);
        assertThat(onServer.path("spec").path("immutableTags").asBoolean()).isTrue();
        assertThat(onServer.path("spec").path("untaggedRetention").asText()).isEqualTo("168h");
        assertThat(eventReasons(ready)).contains(EventReason.RegistrySynced.name());
    }

    @Test
    void aChangedSpecReachesTheServerAndTheStatusFollowsItsGeneration() throws Exception {
        String name = unique("stage");
        client.resource(new Registry(name, RegistrySpec.local())).create();
        eventually().until(() -> registry(name), r -> r.getStatus() != null
                && Conditions.isTrue(r.getStatus().getConditions(), Conditions.READY));

        Registry current = registry(name);
        current.getSpec().setAllowPush(false);
        client.resource(current).update();

        eventually().until(() -> registryServer.adminJson("/api/v1/registries/" + name).path("spec")
                .path("allowPush").asText(), "false"::equals);
        Registry updated = eventually().until(() -> registry(name),
                r -> r.getStatus().getObservedGeneration().equals(r.getMetadata().getGeneration()));
        assertThat(updated.getMetadata().getGeneration()).isGreaterThan(1L);
    }

    @Test
    void countsAreRefreshedWhileTheReadyTransitionTimeStaysPut() throws Exception {
        String name = unique("counted");
        client.resource(new Registry(name, RegistrySpec.local())).create();
        Registry ready = eventually().until(() -> registry(name), r -> r.getStatus() != null
                && Conditions.isTrue(r.getStatus().getConditions(), Conditions.READY));
        String since = condition(ready.getStatus().getConditions(), Conditions.READY).getLastTransitionTime();

        registryServer.pushImage(name, "team/app", "1.0");

        Registry counted = eventually().until(() -> registry(name),
                r -> Long.valueOf(1).equals(r.getStatus().getRepositories()));
        assertThat(counted.getStatus().getManifests()).isEqualTo(1L);
        assertThat(counted.getStatus().getStoredBytes()).isPositive();
        assertThat(condition(counted.getStatus().getConditions(), Conditions.READY).getLastTransitionTime())
                .isEqualTo(since);
        assertThat(counted.getStatus().getConditions()).hasSize(1);
    }

    @Test
    void anInvalidSpecIsReportedAndNeverSent() throws Exception {
        String name = unique("broken");
        // The mock API server applies no CRD schema or CEL, so the operator's own validation is what is tested.
        client.resource(new Registry(name, RegistrySpec.remote("ftp://not-a-registry"))).create();

        Registry reported = eventually().until(() -> registry(name), r -> r.getStatus() != null
                && condition(r.getStatus().getConditions(), Conditions.READY) != null);
        Condition ready = condition(reported.getStatus().getConditions(), Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
        assertThat(ready.getMessage()).contains("spec.upstream.url");
        assertThat(registryServer.admin("/api/v1/registries/" + name).statusCode()).isEqualTo(404);
        assertThat(eventReasons(reported)).contains(EventReason.InvalidSpec.name());
    }

    @Test
    void theServerRefusingASpecIsShownWithItsCode() throws Exception {
        String name = unique("virt");
        client.resource(new Registry(name, RegistrySpec.virtual(List.of(unique("missing"))))).create();

        Registry reported = eventually().until(() -> registry(name), r -> r.getStatus() != null
                && condition(r.getStatus().getConditions(), Conditions.READY) != null);
        Condition ready = condition(reported.getStatus().getConditions(), Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("INVALID_REQUEST");
        assertThat(ready.getMessage()).contains("missing");
        assertThat(eventReasons(reported)).contains(EventReason.RegistryRefused.name());
    }

    @Test
    void aRemoteRegistryGetsItsUpstreamCredentialsFromTheNamedSecret() throws Exception {
        String name = unique("hub");
        String secret = unique("hub-creds");
        RegistrySpec spec = RegistrySpec.remote("https://registry-1.docker.io");
        spec.getUpstream().setCredentialsSecret(new SecretReference(secret, "gantry-system"));
        spec.getUpstream().setTagFreshness("30m");
        client.resource(new Registry(name, spec)).create();

        Registry waiting = eventually().until(() -> registry(name), r -> r.getStatus() != null
                && condition(r.getStatus().getConditions(), Conditions.READY) != null);
        assertThat(condition(waiting.getStatus().getConditions(), Conditions.READY).getReason())
                .isEqualTo("CredentialsSecretMissing");

        client.resource(new SecretBuilder().withNewMetadata().withName(secret).withNamespace("gantry-system")
                .endMetadata().addToData("username", base64("hub-user")).addToData("password", base64("hub-pass"))
                .build()).create(); // data, not stringData: the mock API server does not convert stringData

        eventually().until(() -> registry(name), r -> Conditions.isTrue(r.getStatus().getConditions(),
                Conditions.READY));
        JsonNode upstream = registryServer.adminJson("/api/v1/registries/" + name).path("spec").path("upstream");
        assertThat(upstream.path("url").asText()).isEqualTo("https://registry-1.docker.io");
        assertThat(upstream.path("username").asText()).isEqualTo("hub-user");
        assertThat(upstream.path("tagFreshness").asText()).isEqualTo("30m");
        assertThat(registryServer.admin("/api/v1/registries/" + name).body())
                .as("the server never returns the password").doesNotContain("hub-pass");
    }

    @Test
    void deletingAnEmptyRegistryRemovesItFromTheServer() throws Exception {
        String name = unique("empty");
        client.resource(new Registry(name, RegistrySpec.local())).create();
        eventually().until(() -> registryServer.admin("/api/v1/registries/" + name).statusCode() == 200);

        client.resources(Registry.class).withName(name).delete();

        eventually().until(() -> registry(name) == null);
        assertThat(registryServer.admin("/api/v1/registries/" + name).statusCode()).isEqualTo(404);
    }

    @Test
    void aRegistryWithContentIsKeptUntilItsResourceIsAnnotatedForForce() throws Exception {
        String name = unique("full");
        client.resource(new Registry(name, RegistrySpec.local())).create();
        eventually().until(() -> registryServer.admin("/api/v1/registries/" + name).statusCode() == 200);
        String digest = registryServer.pushImage(name, "team/app", "1.0");

        client.resources(Registry.class).withName(name).delete();

        Registry blocked = eventually().until(() -> registry(name), r -> r.getStatus() != null
                && "REGISTRY_NOT_EMPTY".equals(condition(r.getStatus().getConditions(), Conditions.READY)
                        .getReason()));
        assertThat(blocked.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(condition(blocked.getStatus().getConditions(), Conditions.READY).getMessage())
                .contains(RegistryReconciler.FORCE_DELETE + "=true");
        assertThat(registryServer.admin("/v2/" + name + "/team/app/manifests/" + digest).statusCode())
                .as("the content is still served").isEqualTo(200);
        assertThat(eventReasons(blocked)).contains(EventReason.RegistryDeletionBlocked.name());

        client.resources(Registry.class).withName(name).edit(r -> {
            r.getMetadata().getAnnotations().put(RegistryReconciler.FORCE_DELETE, "true");
            return r;
        });

        eventually().until(() -> registry(name) == null);
        assertThat(registryServer.admin("/api/v1/registries/" + name).statusCode()).isEqualTo(404);
    }

    @Test
    void registriesNoResourceDeclaresAreRemovedWhenEmptyAndKeptWithContent() throws Exception {
        String empty = unique("undeclared");
        String full = unique("undeclared-full");
        assertThat(registryServer.adminPut("/api/v1/registries/" + empty, "{\"type\":\"Local\"}")).isEqualTo(201);
        assertThat(registryServer.adminPut("/api/v1/registries/" + full, "{\"type\":\"Local\"}")).isEqualTo(201);
        String digest = registryServer.pushImage(full, "team/app", "1.0");

        eventually().until(() -> registryServer.admin("/api/v1/registries/" + empty).statusCode() == 404);
        Thread.sleep(5000); // more than two passes of the pruner (every registry-resync, 2 s here)
        assertThat(registryServer.admin("/v2/" + full + "/team/app/manifests/" + digest).statusCode())
                .as("content is never dropped on an inference").isEqualTo(200);
    }

    private static String base64(String value) {
        return java.util.Base64.getEncoder().encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Registry registry(String name) {
        return client.resources(Registry.class).withName(name).get();
    }
}
