package dev.gantry.registry.clients;

import static dev.gantry.registry.clients.TestImages.KIB;
import static dev.gantry.registry.clients.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gantry.registry.clients.TestImages.Image;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containerd (as a Kubernetes node pulls) through {@code ctr}, against a private containerd instance this class
 * starts with its own root, state and socket in a temp dir, and kills afterwards.
 */
@QuarkusTest
class ContainerdClientTest {

    private static final Pattern REQUEST = Pattern.compile("msg=\"(HEAD|GET|POST|PUT|PATCH|DELETE) (/v2/[^ \"]*)");

    private static PrivateContainerd containerd;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPrivateContainerd() {
        containerd = PrivateContainerd.start();
    }

    @AfterAll
    static void stopPrivateContainerd() {
        if (containerd != null) {
            containerd.close();
            containerd = null;
        }
    }

    /** Runs ctr in a namespace; a failed pull or push is shown with its HTTP exchange. */
    private static CommandRunner.Result ctr(String namespace, String... args) {
        return containerd.ok(namespace, args);
    }

    /** The digest column of {@code ctr images ls} for one reference. */
    private static String imageDigest(String namespace, String reference) {
        for (String row : ctr(namespace, "images", "ls").stdout().split("\n")) {
            String[] columns = row.trim().split("\\s+");
            if (columns.length >= 3 && columns[0].equals(reference)) {
                return columns[2];
            }
        }
        throw new AssertionError("ctr images ls has no " + reference);
    }

    private static List<String> contentDigests(String namespace) {
        return List.of(ctr(namespace, "content", "ls", "-q").stdout().split("\\s+"));
    }

    @Test
    void containerdPullsAnImageByTagAndByDigest() {
        Image image = TestImages.singlePlatform(7, "amd64", MIB, 512 * KIB, 64 * KIB);
        String repository = TestRegistry.repository("dev/ctr/app");
        Skopeo.push(image, repository, "1");
        String byTag = TestRegistry.reference(repository, "1");
        String byDigest = TestRegistry.reference(repository, image.digest());

        ctr("pull-by-tag", "images", "pull", "--plain-http", "--platform", "linux/amd64", byTag);
        assertThat(imageDigest("pull-by-tag", byTag)).isEqualTo(image.digest());
        assertThat(contentDigests("pull-by-tag")).containsAll(image.blobDigests()).contains(image.digest());

        ctr("pull-by-digest", "images", "pull", "--plain-http", "--platform", "linux/amd64", byDigest);
        assertThat(imageDigest("pull-by-digest", byDigest)).isEqualTo(image.digest());
        assertThat(contentDigests("pull-by-digest")).containsAll(image.blobDigests()).contains(image.digest());
    }

    @Test
    void containerdPullsEveryPlatformOfAMultiPlatformIndex() {
        Image index = TestImages.multiPlatform(3, 512 * KIB, 768 * KIB);
        String repository = TestRegistry.repository("dev/ctr/multi");
        Skopeo.push(index, repository, "1");
        String reference = TestRegistry.reference(repository, "1");

        ctr("multi", "images", "pull", "--plain-http", "--all-platforms", reference);

        assertThat(imageDigest("multi", reference)).isEqualTo(index.digest());
        assertThat(contentDigests("multi")).containsAll(index.blobDigests()).contains(index.digest());
    }

    @Test
    void containerdPullsThroughANodeStyleMirrorConfigurationWithAPathPrefixAndTheNsParameter() throws IOException {
        Image image = TestImages.singlePlatform(12, "amd64", 300 * KIB);
        String path = TestRegistry.repository("mirrored/app");
        Skopeo.push(image, "dev/" + path, "1");
        // As a Kubernetes node is set up to pull "registry.example/<path>" through Gantry's dev registry: containerd
        // sends /v2/dev/<path>/manifests/1?ns=registry.example to the mirror and never contacts registry.example.
        Path hosts = tmp.resolve("hosts");
        Files.createDirectories(hosts.resolve("registry.example"));
        Files.writeString(hosts.resolve("registry.example").resolve("hosts.toml"), """
                server = "https://registry.example"

                [host."http://%s/v2/dev"]
                  capabilities = ["pull", "resolve"]
                  override_path = true
                """.formatted(TestRegistry.address()));
        String reference = "registry.example/" + path + ":1";

        ctr("mirror", "images", "pull", "--hosts-dir", hosts.toString(), reference);

        assertThat(imageDigest("mirror", reference)).isEqualTo(image.digest());
        assertThat(contentDigests("mirror")).containsAll(image.blobDigests());
    }

    @Test
    void containerdPushesAnImportedImageWithAPostThenOnePutPerBlob() throws IOException {
        Image image = TestImages.singlePlatform(8, "amd64", MIB, 256 * KIB);
        String repository = TestRegistry.repository("dev/ctr/pushed");
        Path archive = tmp.resolve("image.tar");
        CommandRunner.ok("tar", "-C", image.layout().dir().toString(), "-cf", archive.toString(), ".");
        String base = TestRegistry.address() + "/" + repository;
        // A namespace of its own: no blob in it carries a distribution-source label, so containerd really uploads.
        ctr("push", "images", "import", "--base-name", base, archive.toString());
        String reference = base + ":" + image.tag();

        CommandRunner.Result push = ctr("push", "images", "push", "--plain-http", "--http-dump", reference);

        List<String> requests = new ArrayList<>();
        Matcher matcher = REQUEST.matcher(push.stderr() + push.stdout());
        while (matcher.find()) {
            requests.add(matcher.group(1) + " " + matcher.group(2).replaceAll("\\?.*", ""));
        }
        assertThat(requests).as("containerd's requests").isNotEmpty()
                .anyMatch(r -> r.matches("POST /v2/" + Pattern.quote(repository) + "/blobs/uploads/"))
                .anyMatch(r -> r.matches("PUT /v2/" + Pattern.quote(repository) + "/manifests/" + image.tag()))
                .noneMatch(r -> r.startsWith("PATCH "));
        OciLayout pulled = Skopeo.pull(repository, image.tag(), tmp.resolve("pulled"));
        ImageAssertions.assertSameImage(image.layout(), image.tag(), pulled, "pulled");

        ctr("push-pull-back", "images", "pull", "--plain-http", TestRegistry.reference(repository, image.digest()));
    }
}
