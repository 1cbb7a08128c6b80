package dev.gantry.registry.clients;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** skopeo command lines for plain HTTP on loopback (no TLS, no trust policy). */
public final class Skopeo {

    /** skopeo's blob-info cache for root; it only tries cross-repository mounts for blobs this cache knows. */
    public static final Path BLOB_INFO_CACHE = Path.of("/var/lib/containers/cache/blob-info-cache-v1.boltdb");

    private Skopeo() {
    }

    /**
     * Runs a skopeo command that must succeed; on failure it runs it once more with {@code --debug}, which logs every
     * HTTP request and response status, and fails with both outputs.
     */
    private static CommandRunner.Result ok(List<String> line) {
        CommandRunner.Result result = CommandRunner.run(CommandRunner.DEFAULT_TIMEOUT, java.util.Map.of(), line);
        if (!result.succeeded()) {
            List<String> debug = new ArrayList<>(line);
            debug.add(1, "--debug");
            org.junit.jupiter.api.Assertions.fail("skopeo failed\n" + result.describe()
                    + "\n\n=== the same with --debug ===\n"
                    + CommandRunner.run(CommandRunner.DEFAULT_TIMEOUT, java.util.Map.of(), debug).describe());
        }
        return result;
    }

    private static List<String> base(String command) {
        List<String> line = new ArrayList<>();
        line.add(ClientTool.SKOPEO.require());
        line.add("--insecure-policy");
        line.add(command);
        return line;
    }

    /** {@code skopeo copy} with TLS verification off on both sides; extra flags go before the references. */
    public static CommandRunner.Result copy(String source, String destination, String... flags) {
        List<String> line = base("copy");
        line.add("--src-tls-verify=false");
        line.add("--dest-tls-verify=false");
        line.addAll(List.of(flags));
        line.add(source);
        line.add(destination);
        return ok(line);
    }

    /** Pushes a test image to {@code repository:tag} unchanged (skopeo refuses if a digest would change). */
    public static CommandRunner.Result push(TestImages.Image image, String repository, String tag) {
        boolean index = OciLayout.isIndex(image.root().mediaType());
        return index
                ? copy(image.ociReference(), TestRegistry.docker(repository, tag), "--preserve-digests", "--all")
                : copy(image.ociReference(), TestRegistry.docker(repository, tag), "--preserve-digests");
    }

    /** Pulls {@code repository:tagOrDigest} into a new OCI layout under {@code dir}, tagged {@code pulled}. */
    public static OciLayout pull(String repository, String tagOrDigest, Path dir, String... flags) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        copy(TestRegistry.docker(repository, tagOrDigest), "oci:" + dir + ":pulled", flags);
        return new OciLayout(dir);
    }

    /** {@code skopeo inspect --raw}: the manifest bytes exactly as the registry served them. */
    public static byte[] inspectRaw(String repository, String tagOrDigest) {
        List<String> line = base("inspect");
        line.add("--tls-verify=false");
        line.add("--raw");
        line.add(TestRegistry.docker(repository, tagOrDigest));
        return ok(line).stdoutBytes();
    }

    /** {@code skopeo inspect} (parsed form: Digest, Architecture, Layers, ...). */
    public static JsonObject inspect(String repository, String tagOrDigest) {
        List<String> line = base("inspect");
        line.add("--tls-verify=false");
        line.add(TestRegistry.docker(repository, tagOrDigest));
        return new JsonObject(ok(line).stdout());
    }

    public static CommandRunner.Result inspectExpectingFailure(String repository, String tagOrDigest) {
        List<String> line = base("inspect");
        line.add("--tls-verify=false");
        line.add("--raw");
        line.add(TestRegistry.docker(repository, tagOrDigest));
        return CommandRunner.fails(line);
    }

    public static List<String> listTags(String repository) {
        List<String> line = base("list-tags");
        line.add("--tls-verify=false");
        line.add("docker://" + TestRegistry.address() + "/" + repository);
        return new JsonObject(ok(line).stdout()).getJsonArray("Tags").stream()
                .map(String.class::cast).toList();
    }

    public static CommandRunner.Result delete(String repository, String tagOrDigest) {
        List<String> line = base("delete");
        line.add("--tls-verify=false");
        line.add(TestRegistry.docker(repository, tagOrDigest));
        return ok(line);
    }

    public static void forgetKnownBlobs() {
        try {
            Files.deleteIfExists(BLOB_INFO_CACHE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete skopeo's blob-info cache " + BLOB_INFO_CACHE, e);
        }
    }
}
