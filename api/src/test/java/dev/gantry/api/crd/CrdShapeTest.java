package dev.gantry.api.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** What `kubectl` users see of the committed CRDs: scope, names and the columns of `kubectl get`. */
class CrdShapeTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    void registriesAreClusterScopedWithTypeUrlAndReadyColumns() throws IOException {
        CustomResourceDefinition crd = load("registries");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("greg");
        assertThat(crd.getSpec().getNames().getCategories()).containsExactly("gantry");
        assertThat(version(crd).getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
                .containsExactlyInAnyOrder(
                        tuple("Type", ".spec.type"),
                        tuple("URL", ".status.url"),
                        tuple("Ready", ".status.conditions[?(@.type==\"Ready\")].status"),
                        tuple("Age", ".metadata.creationTimestamp"));
        assertThat(version(crd).getSubresources().getStatus()).isNotNull();
    }

    @Test
    void environmentsAreClusterScopedWithRegistryModeAndNamespacesColumns() throws IOException {
        CustomResourceDefinition crd = load("environments");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("genv");
        assertThat(version(crd).getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
                .containsExactlyInAnyOrder(
                        tuple("Registry", ".spec.registry"),
                        tuple("Mode", ".spec.policy.mode"),
                        tuple("Namespaces", ".status.namespaces"),
                        tuple("Age", ".metadata.creationTimestamp"));
        assertThat(version(crd).getSubresources().getStatus()).isNotNull();
    }

    @Test
    void promotionsAreNamespacedWithRepositoryFromToDigestAndPhaseColumns() throws IOException {
        CustomResourceDefinition crd = load("promotions");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("promo");
        assertThat(version(crd).getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
                .containsExactlyInAnyOrder(
                        tuple("Repository", ".spec.repository"),
                        tuple("From", ".spec.from"),
                        tuple("To", ".spec.to"),
                        tuple("Digest", ".status.digest"),
                        tuple("Phase", ".status.phase"),
                        tuple("Age", ".metadata.creationTimestamp"));
        assertThat(version(crd).getSubresources().getStatus()).isNotNull();
    }

    @Test
    void everyCrdServesAndStoresV1alpha1InTheGantryGroup() throws IOException {
        for (String plural : new String[] {"registries", "environments", "promotions"}) {
            CustomResourceDefinition crd = load(plural);
            assertThat(crd.getMetadata().getName()).isEqualTo(plural + ".gantry.dev");
            assertThat(crd.getSpec().getGroup()).isEqualTo("gantry.dev");
            assertThat(crd.getSpec().getVersions()).singleElement().satisfies(v -> {
                assertThat(v.getName()).isEqualTo("v1alpha1");
                assertThat(v.getServed()).isTrue();
                assertThat(v.getStorage()).isTrue();
            });
        }
    }

    private static CustomResourceDefinition load(String plural) throws IOException {
        String yaml = Files.readString(CrdFiles.committed().resolve(plural + ".gantry.dev-v1.yml"));
        return SERIALIZATION.unmarshal(yaml, CustomResourceDefinition.class);
    }

    private static CustomResourceDefinitionVersion version(CustomResourceDefinition crd) {
        return crd.getSpec().getVersions().getFirst();
    }
}
