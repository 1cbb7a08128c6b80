package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.api.selection.LabelSelectors;
import dev.gantry.api.v1alpha1.Environment;
import dev.gantry.api.v1alpha1.Promotion;
import dev.gantry.api.v1alpha1.Registry;
import dev.gantry.api.v1alpha1.RegistryType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * examples/pipeline: a dev → qa → staging → prod pipeline whose pieces fit together the way the operator and the
 * webhook will read them, checked with the shared code they use (validators, LabelSelectors).
 */
class ExamplePipelineTest {
    private static final List<String> STAGES = List.of("dev", "qa", "staging", "prod");

    @Test
    void theRegistriesFormOnePathFromDevToProd() {
        Map<String, Registry> registries = registries();
        assertThat(registries.keySet()).containsExactlyInAnyOrderElementsOf(STAGES);
        for (int i = 0; i < STAGES.size(); i++) {
            Registry registry = registries.get(STAGES.get(i));
            assertThat(registry.getSpec().getType()).isEqualTo(RegistryType.LOCAL);
            if (i == 0) {
                assertThat(registry.getSpec().pushAllowed()).as("CI pushes into dev").isTrue();
                assertThat(registry.getSpec().promotionSourcesOrEmpty()).isEmpty();
            } else {
                assertThat(registry.getSpec().pushAllowed()).as("%s receives by promotion only", STAGES.get(i))
                        .isFalse();
                assertThat(registry.getSpec().getPromotionSources()).containsExactly(STAGES.get(i - 1));
            }
        }
        assertThat(registries.get("prod").getSpec().getImmutableTags()).isTrue();
    }

    @Test
    void eachEnvironmentOwnsExactlyItsStagesNamespaceAndTheWebhookChecksThem() {
        Rendered pipeline = Rendered.of("examples/pipeline");
        Map<String, Registry> registries = registries();
        List<Namespace> namespaces = pipeline.all(Namespace.class);
        List<Environment> environments = pipeline.all(Environment.class);
        assertThat(environments).extracting(e -> e.getMetadata().getName())
                .containsExactlyInAnyOrder("qa", "staging", "prod");
        for (Environment environment : environments) {
            assertThat(registries).containsKey(environment.getSpec().getRegistry());
            List<String> selected = namespaces.stream().filter(n -> LabelSelectors.matches(
                    environment.getSpec().getNamespaceSelector(), n.getMetadata().getLabels()))
                    .map(n -> n.getMetadata().getName()).toList();
            assertThat(selected).as("namespaces of Environment %s", environment.getMetadata().getName()).hasSize(1);
            Namespace namespace = pipeline.one(Namespace.class, selected.get(0));
            assertThat(namespace.getMetadata().getLabels()).containsEntry("gantry.dev/stage",
                    environment.getSpec().getRegistry());
        }
        for (Namespace namespace : namespaces) {
            long claimed = environments.stream().filter(e -> LabelSelectors.matches(e.getSpec().getNamespaceSelector(),
                    namespace.getMetadata().getLabels())).count();
            assertThat(claimed).as("Environments claiming %s (two would be a NamespaceConflict)",
                    namespace.getMetadata().getName()).isEqualTo(1);
            var hook = Rendered.of("deploy").one(ValidatingWebhookConfiguration.class, "gantry-webhook")
                    .getWebhooks().get(0);
            assertThat(LabelSelectors.matches(hook.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name",
                    namespace.getMetadata().getName()))).as("the webhook is called for %s",
                            namespace.getMetadata().getName()).isTrue();
        }
        assertThat(environments).filteredOn(e -> e.getMetadata().getName().equals("prod")).singleElement()
                .satisfies(prod -> {
                    assertThat(prod.getSpec().policyOrDefault().digestRequired()).isTrue();
                    assertThat(prod.getSpec().policyOrDefault().promotionVerified()).isTrue();
                });
    }

    @Test
    void thePromotionFollowsADeclaredPathAndMatchesItsCrd() {
        List<String> problems = new ArrayList<>();
        List<JsonNode> docs = Manifests.read(Manifests.root().resolve("examples/pipeline/promotion.yaml"));
        assertThat(docs).hasSize(1);
        HasMetadata object = Manifests.typed(docs.get(0), problems).orElseThrow();
        problems.addAll(Manifests.gantryRefusals(object));
        assertThat(problems).isEmpty();
        Promotion promotion = (Promotion) object;
        Registry target = registries().get(promotion.getSpec().getTo());
        assertThat(target).isNotNull();
        assertThat(target.getSpec().promotionSourcesOrEmpty()).contains(promotion.getSpec().getFrom());
        assertThat(Rendered.of("examples/pipeline").all(Namespace.class)).extracting(n -> n.getMetadata().getName())
                .contains(promotion.getMetadata().getNamespace());
    }

    private static Map<String, Registry> registries() {
        return Rendered.of("examples/pipeline").all(Registry.class).stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), Function.identity()));
    }
}
