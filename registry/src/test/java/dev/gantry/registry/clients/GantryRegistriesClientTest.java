package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gantry's default registries seen by a real client: {@code dev} takes pushes, {@code qa}/{@code staging}/{@code prod}
 * refuse them, and the virtual {@code all} sends pushes to dev and serves what dev holds. Gantry-only by nature.
 */
@QuarkusTest
class GantryRegistriesClientTest {

    @TempDir
    Path tmp;

    @Test
    void aPushThroughTheVirtualAllRegistryLandsInDevAndPullsBackFromBoth() {
        TestRegistry.assumeGantry("registries (dev/qa/staging/prod/all) are Gantry's own");
        Image image = TestImages.singlePlatform(31, "amd64", 256 * KIB);
        String path = TestRegistry.repository("virtual/app");

        Skopeo.push(image, "all/" + path, "1");

        ImageAssertions.assertSameImage(image.layout(), image.tag(), Skopeo.pull("dev/" + path, "1", tmp.resolve("dev")),
                "pulled");
        ImageAssertions.assertSameImage(image.layout(), image.tag(), Skopeo.pull("all/" + path, "1", tmp.resolve("all")),
                "pulled");
        assertThat(Skopeo.listTags("all/" + path)).contains("1");
    }

    @Test
    void theQaStagingAndProdRegistriesRefuseAPushAndStoreNothing() {
        TestRegistry.assumeGantry("registries (dev/qa/staging/prod/all) are Gantry's own");
        Image image = TestImages.singlePlatform(32, "amd64", 64 * KIB);
        String path = TestRegistry.repository("refused/app");
        List<String> failures = new ArrayList<>();

        for (String registry : List.of("qa", "staging", "prod")) {
            List<String> line = List.of(ClientTool.SKOPEO.require(), "--insecure-policy", "copy",
                    "--dest-tls-verify=false", image.ociReference(), TestRegistry.docker(registry + "/" + path, "1"));
            CommandRunner.Result refused = CommandRunner.fails(line);
            failures.add(refused.stderr());
            Skopeo.inspectExpectingFailure(registry + "/" + path, "1");
        }

        // The refusal reaches the user as the spec's DENIED error code, which skopeo prints as "denied: <message>".
        assertThat(failures).allSatisfy(stderr -> assertThat(stderr).containsIgnoringCase("denied"));
    }
}
