package dev.gantry.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** crds/ is what users install; it must be exactly what the classes generate. */
class CommittedCrdsTest {
    private static final List<String> CRDS = List.of("registries.gantry.dev-v1.yml",
            "environments.gantry.dev-v1.yml", "promotions.gantry.dev-v1.yml");

    @Test
    void theCommittedCrdsAreExactlyWhatTheClassesGenerate() throws IOException {
        for (String name : CRDS) {
            String generated = Files.readString(CrdFiles.generated().resolve(name));
            Path committed = CrdFiles.committed().resolve(name);
            assertThat(committed).as("crds/%s is missing: run ./mvnw -pl api process-classes -Pupdate-crds", name)
                    .exists();
            assertThat(Files.readString(committed))
                    .as("crds/%s differs from what the CRD classes generate: run "
                            + "./mvnw -pl api process-classes -Pupdate-crds and commit the result", name)
                    .isEqualTo(generated);
        }
    }
}
