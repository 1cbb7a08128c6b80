package dev.gantry.registry.registries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultPipelinePushesToDevAndPromotesDevQaStagingProd() {
        Registries registries = Registries.of(Registries.defaultPipeline());
        assertThat(registries.all()).extracting(RegistryDefinition::name)
                .containsExactly("dev", "qa", "staging", "prod", "all");
        assertThat(registries.find("dev").orElseThrow().pushAllowed()).isTrue();
        assertThat(registries.find("qa").orElseThrow().pushAllowed()).isFalse();
        assertThat(registries.find("qa").orElseThrow().promotionSources()).containsExactly("dev");
        assertThat(registries.find("staging").orElseThrow().promotionSources()).containsExactly("qa");
        assertThat(registries.find("prod").orElseThrow().promotionSources()).containsExactly("staging");
        assertThat(registries.find("prod").orElseThrow().immutableTags()).isTrue();
        RegistryDefinition all = registries.find("all").orElseThrow();
        assertThat(all.type()).isEqualTo(RegistryType.Virtual);
        assertThat(all.members()).containsExactly("dev", "qa", "staging", "prod");
        assertThat(all.deployTo()).isEqualTo("dev");
    }

    @Test
    void registriesAreReadFromRegistryResourcesInYaml() throws IOException {
        Path file = dir.resolve("registries.yaml");
        Files.writeString(file, """
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata:
                  name: dev
                spec:
                  type: Local
                ---
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata:
                  name: prod
                spec:
                  type: Local
                  allowPush: false
                  promotionSources: [dev]
                  immutableTags: true
                ---
                apiVersion: gantry.dev/v1alpha1
                kind: Registry
                metadata:
                  name: hub
                spec:
                  type: Remote
                  upstream:
                    url: https://registry-1.docker.io
                    tagFreshness: 1h
                """);
        Registries registries = Registries.of(RegistryDefinitionsFile.read(file));
        assertThat(registries.find("prod").orElseThrow().pushAllowed()).isFalse();
        assertThat(registries.find("prod").orElseThrow().promotionSources()).containsExactly("dev");
        assertThat(registries.find("hub").orElseThrow().upstream().url()).isEqualTo("https://registry-1.docker.io");
        assertThat(registries.find("hub").orElseThrow().pushAllowed()).isFalse();
    }

    @Test
    void aDocumentThatIsNotARegistryIsRefusedByName() throws IOException {
        Path file = dir.resolve("wrong.yaml");
        Files.writeString(file, """
                apiVersion: gantry.dev/v1alpha1
                kind: Environment
                metadata: {name: qa}
                spec: {registry: qa}
                """);
        assertThatThrownBy(() -> RegistryDefinitionsFile.read(file)).hasMessageContaining("expected kind Registry")
                .hasMessageContaining("Environment");
    }

    @Test
    void inconsistentRegistriesAreRefusedWithEveryProblemNamed() {
        assertThatThrownBy(() -> Registries.of(List.of(
                RegistryDefinition.local("Dev", true, List.of(), false),
                RegistryDefinition.local("qa", false, List.of("nowhere"), false),
                RegistryDefinition.virtual("all", List.of("qa", "ghost"), "ghost"),
                new RegistryDefinition("hub", RegistryType.Remote, null, null, null, null, null, null, null, null))))
                .hasMessageContaining("'Dev' is not a DNS-1123 label")
                .hasMessageContaining("promotion source 'nowhere' is not defined")
                .hasMessageContaining("member 'ghost' is not a defined")
                .hasMessageContaining("deployTo 'ghost' must be a Local member")
                .hasMessageContaining("'hub': spec.upstream.url is required");
    }
}
