package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static dev.gantry.registry.clients.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo (containers/image, as podman, buildah and CRI-O use it) against the registry: push, pull, inspect, delete. */
@QuarkusTest
class SkopeoClientTest {

    @TempDir
    Path tmp;

    static Image threeLayers() {
        return TestImages.singlePlatform(1, "amd64", MIB, 2 * MIB, 256 * KIB);
    }

    @Test
    void skopeoRoundTripsAMultiLayerImageByteForByte() {
        Image image = threeLayers();
        String repository = TestRegistry.repository("dev/team/app");

        Skopeo.push(image, repository, "1");
        OciLayout pulled = Skopeo.pull(repository, "1", tmp.resolve("pulled"));

        ImageAssertions.assertSameImage(image.layout(), image.tag(), pulled, "pulled");
    }

    @Test
    void skopeoPullsByDigestWhatItPushedByTag() {
        Image image = threeLayers();
        String repository = TestRegistry.repository("dev/team/sub/app");

        Skopeo.push(image, repository, "by-digest");
        OciLayout pulled = Skopeo.pull(repository, image.digest(), tmp.resolve("pulled"));

        ImageAssertions.assertSameImage(image.layout(), image.tag(), pulled, "pulled");
    }

    @Test
    void skopeoInspectRawReturnsTheExactManifestBytesThatWerePushed() {
        Image image = threeLayers();
        String repository = TestRegistry.repository("dev/inspect/app");
        Skopeo.push(image, repository, "1");

        assertThat(Skopeo.inspectRaw(repository, "1")).isEqualTo(image.rootBytes());
        assertThat(Skopeo.inspectRaw(repository, image.digest())).isEqualTo(image.rootBytes());
        JsonObject inspected = Skopeo.inspect(repository, "1");
        assertThat(inspected.getString("Digest")).isEqualTo(image.digest());
        assertThat(inspected.getString("Architecture")).isEqualTo("amd64");
        assertThat(inspected.getJsonArray("Layers").size()).isEqualTo(3);

        HttpResponse<byte[]> head = RegistryHttp.headManifest(repository, "1");
        assertThat(head.statusCode()).as(RegistryHttp.describe(head)).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).as(RegistryHttp.describe(head))
                .contains(image.digest());
        assertThat(head.headers().firstValueAsLong("Content-Length")).as(RegistryHttp.describe(head))
                .hasValue(image.rootBytes().length);
    }

    @Test
    void skopeoListsEveryTagOfARepositoryWithSeveralPathComponents() {
        Image image = threeLayers();
        String repository = TestRegistry.repository("dev/team/sub/tags");
        for (String tag : List.of("v2", "1.0", "latest", "a-b_c.d")) {
            Skopeo.copy(image.ociReference(), TestRegistry.docker(repository, tag));
        }

        List<String> tags = Skopeo.listTags(repository);

        assertThat(tags).containsExactlyInAnyOrder("1.0", "a-b_c.d", "latest", "v2");
        TestRegistry.assumeGantry("Distribution 2.8 does not sort tag lists; OCI 1.1 asks for lexical order");
        assertThat(tags).isSorted();
    }

    @Test
    void skopeoDeletesAManifestAndItsTagAndPullingItThenFailsWithManifestUnknown() {
        Image doomed = threeLayers();
        Image kept = TestImages.singlePlatform(2, "amd64", 300 * KIB);
        String repository = TestRegistry.repository("dev/delete/app");
        Skopeo.push(doomed, repository, "doomed");
        Skopeo.push(kept, repository, "kept");

        Skopeo.delete(repository, "doomed");

        CommandRunner.Result byTag = Skopeo.inspectExpectingFailure(repository, "doomed");
        assertThat(byTag.stderr()).as(byTag.describe()).containsIgnoringCase("manifest unknown");
        CommandRunner.Result byDigest = Skopeo.inspectExpectingFailure(repository, doomed.digest());
        assertThat(byDigest.stderr()).as(byDigest.describe()).containsIgnoringCase("manifest unknown");
        assertThat(Skopeo.listTags(repository)).containsExactly("kept");
        assertThat(Skopeo.inspectRaw(repository, "kept")).isEqualTo(kept.rootBytes());
    }

    @Test
    void skopeoCopiesAMultiPlatformIndexWithAllAndBothPlatformsPullBack() {
        Image index = TestImages.multiPlatform(3, 512 * KIB, 768 * KIB);
        String repository = TestRegistry.repository("dev/multi/app");

        Skopeo.push(index, repository, "1");

        assertThat(Skopeo.inspectRaw(repository, "1")).as("the index as served").isEqualTo(index.rootBytes());
        OciLayout pulled = Skopeo.pull(repository, "1", tmp.resolve("all"), "--all", "--preserve-digests");
        ImageAssertions.assertSameImage(index.layout(), index.tag(), pulled, "pulled");

        for (String platform : List.of("amd64", "arm64")) {
            OciLayout.Descriptor manifest = index.layout().resolve(platform);
            OciLayout one = Skopeo.pull(repository, manifest.digest(), tmp.resolve(platform));
            ImageAssertions.assertSameImage(index.layout(), platform, one, "pulled");
            assertThat(Skopeo.inspect(repository, manifest.digest()).getString("Architecture")).isEqualTo(platform);
        }
    }

    @Test
    void skopeoCopiesAnImageFromOneRepositoryToAnotherUnchanged() {
        Image image = TestImages.singlePlatform(5, "amd64", MIB, 512 * KIB);
        String source = TestRegistry.repository("dev/promote/from");
        String target = TestRegistry.repository("dev/promote/to");
        Skopeo.push(image, source, "1");

        Skopeo.copy(TestRegistry.docker(source, "1"), TestRegistry.docker(target, "promoted"), "--preserve-digests");

        assertThat(Skopeo.inspectRaw(target, "promoted")).isEqualTo(image.rootBytes());
        ImageAssertions.assertSameImage(image.layout(), image.tag(),
                Skopeo.pull(target, image.digest(), tmp.resolve("pulled")), "pulled");
    }

    @Test
    void skopeoPushesTheSameImageToASecondRepositoryByCrossRepositoryMount() {
        Image image = TestImages.singlePlatform(4, "amd64", MIB, 512 * KIB);
        String first = TestRegistry.repository("dev/mount/a");
        String second = TestRegistry.repository("dev/mount/b");

        // Without the cache skopeo cannot know the registry holds the blobs: the first push really uploads them.
        Skopeo.forgetKnownBlobs();
        Skopeo.push(image, first, "1");
        // Now the cache says the blobs are in `first`, so skopeo asks for POST uploads/?mount=<digest>&from=<first>.
        Skopeo.push(image, second, "1");

        ImageAssertions.assertSameImage(image.layout(), image.tag(), Skopeo.pull(first, "1", tmp.resolve("a")),
                "pulled");
        ImageAssertions.assertSameImage(image.layout(), image.tag(), Skopeo.pull(second, "1", tmp.resolve("b")),
                "pulled");
        // skopeo prints the same lines whether a blob was mounted or uploaded, so ask the registry directly too.
        String layer = image.layout().json(image.digest()).getJsonArray("layers").getJsonObject(0).getString("digest");
        String third = TestRegistry.repository("dev/mount/c");
        HttpResponse<byte[]> mounted = RegistryHttp.send(RegistryHttp.request("/v2/" + third
                + "/blobs/uploads/?mount=" + layer + "&from=" + first)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        assertThat(mounted.statusCode()).as("cross-repository mount: " + RegistryHttp.describe(mounted))
                .isEqualTo(201);
        assertThat(mounted.headers().firstValue("Docker-Content-Digest")).as(RegistryHttp.describe(mounted))
                .contains(layer);
        assertThat(mounted.headers().firstValue("Location")).as(RegistryHttp.describe(mounted)).isPresent();
        HttpResponse<byte[]> head = RegistryHttp.send(RegistryHttp.request("/v2/" + third + "/blobs/" + layer)
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).as(RegistryHttp.describe(head)).isEqualTo(200);
    }
}
