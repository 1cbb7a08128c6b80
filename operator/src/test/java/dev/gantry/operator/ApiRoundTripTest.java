package dev.gantry.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.EnvironmentSpec;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.PromotionPhase;
import dev.gantry.api.v1alpha1.PromotionSpec;
import dev.gantry.api.v1alpha1.PromotionStatus;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistrySpec;
import dev.gantry.api.v1alpha1.RegistryType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gantry-api classes as the operator's Fabric8 client writes and reads them through an API server (the Fabric8
 * mock; no real one runs on the build machines): wire names, cluster scope and the status subresource.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ApiRoundTripTest.WithoutReconcilers.class)
class ApiRoundTripTest {
    /** The reconcilers would act on these resources (and race the status this test writes), so they stay off. */
    public static class WithoutReconcilers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.operator.enabled", "false");
        }
    }

    @Inject
    KubernetesClient client;

    @Test
    void aRegistryIsStoredClusterWideWithItsTypeWrittenAsInYaml() {
        RegistrySpec spec = RegistrySpec.local();
        spec.setPromotionSources(List.of("dev"));
        client.resource(new Registry("qa", spec)).create();

        Registry stored = client.resources(Registry.class).withName("qa").get();
        assertThat(stored.getSpec()).isEqualTo(spec);
        assertThat(stored.getMetadata().getNamespace()).isNull();
        GenericKubernetesResource raw = client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(Registry.class))
                .withName("qa").get();
        assertThat(raw.<String>get("spec", "type")).isEqualTo("Local");
        assertThat(stored.getSpec().getType()).isEqualTo(RegistryType.LOCAL);
    }

    @Test
    void anEnvironmentKeepsItsSelector() {
        EnvironmentSpec spec = new EnvironmentSpec();
        spec.setRegistry("qa");
        spec.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("gantry.dev/stage", "qa").build());
        client.resource(new Environment("qa", spec)).create();

        Environment stored = client.resources(Environment.class).withName("qa").get();
        assertThat(stored.getSpec().getNamespaceSelector().getMatchLabels()).containsEntry("gantry.dev/stage", "qa");
    }

    @Test
    void aPromotionStatusIsWrittenThroughTheStatusSubresource() {
        PromotionSpec spec = PromotionSpec.ofTag("team/app", "dev", "qa", "1.2");
        Promotion created = client.resource(new Promotion("shop", "app-1-2", spec)).create();

        PromotionStatus status = new PromotionStatus();
        status.setPhase(PromotionPhase.SUCCEEDED);
        status.setDigest("sha256:" + "a".repeat(64));
        created.setStatus(status);
        client.resource(created).updateStatus();

        Promotion stored = client.resources(Promotion.class).inNamespace("shop").withName("app-1-2").get();
        assertThat(stored.getSpec()).isEqualTo(spec);
        assertThat(stored.getStatus().getPhase()).isEqualTo(PromotionPhase.SUCCEEDED);
        assertThat(client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(Promotion.class)).inNamespace("shop")
                .withName("app-1-2").get().<String>get("status", "phase")).isEqualTo("Succeeded");
    }
}
