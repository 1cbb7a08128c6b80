package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static dev.gantry.registry.clients.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman and buildah, each with a private container storage (vfs driver in a temp dir, so the machine's own storage
 * is neither used nor changed), pushing and pulling over plain HTTP.
 */
@QuarkusTest
class PodmanAndBuildahClientTest {

    private static Path storage;

    @TempDir
    Path tmp;

    @BeforeAll
    static void privateStorage() throws IOException {
        storage = TestImages.shortTempDir("gantry-pb-");
    }

    @AfterAll
    static void removeStorage() {
        TestImages.deleteRecursively(storage);
    }

    private static List<String> tool(ClientTool tool, String... args) {
        List<String> line = new ArrayList<>(List.of(tool.require(),
                "--root", storage.resolve("root").toString(),
                "--runroot", storage.resolve("run").toString(),
                "--storage-driver", "vfs"));
        if (tool == ClientTool.PODMAN) {
            line.add("--events-backend=file");
            line.add("--cgroup-manager=cgroupfs");
        }
        line.addAll(List.of(args));
        return line;
    }

    private static String podman(String... args) {
        return CommandRunner.ok(tool(ClientTool.PODMAN, args)).stdout().trim();
    }

    private static String buildah(String... args) {
        return CommandRunner.ok(tool(ClientTool.BUILDAH, args)).stdout().trim();
    }

    /** The digest the registry serves for a tag: Docker-Content-Digest, checked against the sha256 of the body. */
    private static String servedDigest(String repository, String tag) {
        HttpResponse<byte[]> response = RegistryHttp.getManifest(repository, tag);
        assertThat(response.statusCode()).as(RegistryHttp.describe(response)).isEqualTo(200);
        String digest = OciLayout.sha256(response.body());
        assertThat(response.headers().firstValue("Docker-Content-Digest")).as(RegistryHttp.describe(response))
                .contains(digest);
        return digest;
    }

    @Test
    void podmanPullsAnImageAndPushesItToAnotherRepositoryAndTheDigestsAgree() throws IOException {
        Image image = TestImages.singlePlatform(5, "amd64", MIB, 512 * KIB);
        String source = TestRegistry.repository("dev/podman/src");
        String target = TestRegistry.repository("dev/podman/app");
        Skopeo.push(image, source, "1");

        podman("pull", "--tls-verify=false", TestRegistry.reference(source, "1"));
        assertThat(podman("image", "inspect", "--format", "{{.Digest}}", TestRegistry.reference(source, "1")))
                .isEqualTo(image.digest());

        Path digestFile = tmp.resolve("digest");
        podman("push", "--tls-verify=false", "--digestfile", digestFile.toString(),
                TestRegistry.reference(source, "1"), TestRegistry.reference(target, "1"));
        String pushed = Files.readString(digestFile).trim();
        assertThat(servedDigest(target, "1")).isEqualTo(pushed);

        // podman re-compresses layers from its storage, so the manifest may differ; the config (and so every diff_id,
        // i.e. the uncompressed layer content) must not.
        OciLayout pulled = Skopeo.pull(target, pushed, tmp.resolve("pulled"));
        ImageAssertions.assertSelfConsistent(pulled, "pulled");
        String config = image.layout().json(image.digest()).getJsonObject("config").getString("digest");
        assertThat(pulled.json(pushed).getJsonObject("config").getString("digest")).isEqualTo(config);

        podman("rmi", "-a", "-f");
        podman("pull", "--tls-verify=false", TestRegistry.reference(target, pushed));
        assertThat(podman("image", "inspect", "--format", "{{.Digest}}", TestRegistry.reference(target, pushed)))
                .isEqualTo(pushed);
        podman("rmi", "-a", "-f");
    }

    @Test
    void buildahBuildsAnImageFromScratchPushesItAndThePushedLayerHoldsTheFile() throws IOException {
        Path payload = TestImages.randomFile(tmp.resolve("payload.bin"), 6, MIB + 123);
        String repository = TestRegistry.repository("dev/buildah/app");

        String container = buildah("from", "scratch");
        buildah("copy", container, payload.toString(), "/payload.bin");
        buildah("config", "--cmd", "/payload.bin", "--label", "dev.gantry.test=buildah", container);
        buildah("commit", "-q", container, "localhost/gantry-buildah-test:1");
        buildah("rm", container);
        Path digestFile = tmp.resolve("digest");
        buildah("push", "--tls-verify=false", "--digestfile", digestFile.toString(),
                "localhost/gantry-buildah-test:1", TestRegistry.docker(repository, "1"));
        String pushed = Files.readString(digestFile).trim();

        assertThat(servedDigest(repository, "1")).isEqualTo(pushed);
        OciLayout pulled = Skopeo.pull(repository, "1", tmp.resolve("pulled"));
        ImageAssertions.assertSelfConsistent(pulled, "pulled");
        assertThat(pulled.resolve("pulled").digest()).isEqualTo(pushed);
        var layers = pulled.json(pushed).getJsonArray("layers");
        assertThat(layers.size()).isEqualTo(1);
        Map<String, byte[]> files = LayerFiles.read(pulled.blobPath(layers.getJsonObject(0).getString("digest")));
        assertThat(files).containsKey("payload.bin");
        assertThat(files.get("payload.bin")).isEqualTo(Files.readAllBytes(payload));

        buildah("rmi", "-a", "-f");
        buildah("pull", "--tls-verify=false", TestRegistry.reference(repository, pushed));
        assertThat(buildah("images", "--digests", "--format", "{{.Digest}}")).contains(pushed);
        buildah("rmi", "-a", "-f");
    }
}
