package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jib (jib-core, the library behind the Maven and Gradle plugins) pushing to and pulling from the registry. */
@QuarkusTest
class JibClientTest {

    @TempDir
    Path tmp;

    private Containerizer to(String reference) throws Exception {
        return Containerizer.to(RegistryImage.named(reference))
                .setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(tmp.resolve("jib-base-cache"))
                .setApplicationLayersCache(tmp.resolve("jib-app-cache"))
                .setToolName("gantry-client-tests");
    }

    private static JibContainerBuilder withApplicationLayers(JibContainerBuilder builder, Path dir) throws Exception {
        Path lib = TestImages.randomFile(dir.resolve("lib").resolve("dependency.jar"), 9, 700 * KIB);
        Path app = TestImages.randomFile(dir.resolve("app").resolve("app.jar"), 10, 90 * KIB);
        return builder
                .addLayer(List.of(lib), AbsoluteUnixPath.get("/app/lib"))
                .addLayer(List.of(app), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("java", "-jar", "/app/app.jar")
                .setCreationTime(Instant.parse(TestImages.CREATED))
                .setFormat(ImageFormat.OCI);
    }

    @Test
    void jibPushesAnImageBuiltFromScratchAndSkopeoPullsTheDigestJibReported() throws Exception {
        String repository = TestRegistry.repository("dev/jib/app");
        String reference = TestRegistry.reference(repository, "1");

        JibContainer container = withApplicationLayers(Jib.fromScratch(), tmp.resolve("files"))
                .containerize(to(reference));

        String digest = container.getDigest().toString();
        assertThat(container.isImagePushed()).isTrue();
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(repository, "1"))).isEqualTo(digest);
        OciLayout pulled = Skopeo.pull(repository, "1", tmp.resolve("pulled"));
        assertThat(pulled.resolve("pulled").digest()).isEqualTo(digest);
        ImageAssertions.assertSelfConsistent(pulled, "pulled");
        JsonArray layers = pulled.json(digest).getJsonArray("layers");
        assertThat(layers.size()).isEqualTo(2);
        Map<String, byte[]> appLayer = LayerFiles.read(pulled.blobPath(layers.getJsonObject(1).getString("digest")));
        assertThat(appLayer.get("app/app.jar")).isEqualTo(Files.readAllBytes(tmp.resolve("files/app/app.jar")));
    }

    @Test
    void jibBuildsOnABaseImagePulledFromTheRegistryAndPushesOnTop() throws Exception {
        Image base = TestImages.singlePlatform(11, "amd64", 400 * KIB, 200 * KIB);
        String baseRepository = TestRegistry.repository("dev/jib/base");
        Skopeo.push(base, baseRepository, "1");
        String repository = TestRegistry.repository("dev/jib/layered");
        String reference = TestRegistry.reference(repository, "1");

        JibContainer container = withApplicationLayers(
                Jib.from(RegistryImage.named(TestRegistry.reference(baseRepository, "1"))), tmp.resolve("files"))
                .containerize(to(reference).withAdditionalTag("also"));

        String digest = container.getDigest().toString();
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(repository, "1"))).isEqualTo(digest);
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(repository, "also"))).isEqualTo(digest);
        OciLayout pulled = Skopeo.pull(repository, digest, tmp.resolve("pulled"));
        ImageAssertions.assertSelfConsistent(pulled, "pulled");
        List<String> layers = pulled.json(digest).getJsonArray("layers").stream()
                .map(layer -> ((io.vertx.core.json.JsonObject) layer).getString("digest")).toList();
        List<String> baseLayers = base.layout().json(base.digest()).getJsonArray("layers").stream()
                .map(layer -> ((io.vertx.core.json.JsonObject) layer).getString("digest")).toList();
        assertThat(layers).hasSize(baseLayers.size() + 2).startsWith(baseLayers.toArray(String[]::new));
        assertThat(Skopeo.listTags(repository)).containsExactlyInAnyOrder("1", "also");
    }
}
