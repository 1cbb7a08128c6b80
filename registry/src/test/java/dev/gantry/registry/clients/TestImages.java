package dev.gantry.registry.clients;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Test images made offline: OCI layouts built with umoci from seeded random content (the same seed and sizes give the
 * same digests on every run and machine), and a multi-platform index written by hand over two umoci images.
 * <p>
 * Images are cached under {@code target/client-images/} and shared by every test of a run; a marker file is written
 * last, so an interrupted build is redone.
 */
public final class TestImages {

    /** A fixed time for configs, history and file mtimes, so the digests depend on the seed and sizes only. */
    public static final String CREATED = "2024-01-01T00:00:00Z";
    public static final int KIB = 1024;
    public static final int MIB = 1024 * 1024;

    private static final Path CACHE = Path.of("target", "client-images").toAbsolutePath();
    private static final String COMPLETE = ".complete-v1";

    /** An image in an OCI layout, named by a tag in its index.json. */
    public record Image(OciLayout layout, String tag) {

        /** {@code oci:DIR:TAG}, for skopeo. */
        public String ociReference() {
            return "oci:" + layout.dir() + ":" + tag;
        }

        public OciLayout.Descriptor root() {
            return layout.resolve(tag);
        }

        public String digest() {
            return root().digest();
        }

        public byte[] rootBytes() {
            return layout.blob(digest());
        }

        /** Digests of every blob the image references (not the root), for containment checks. */
        public List<String> blobDigests() {
            return layout.reachable(root()).keySet().stream().filter(d -> !d.equals(digest())).toList();
        }
    }

    private TestImages() {
    }

    /**
     * A linux image of the given architecture with one layer per size, each a single file {@code /layer-N.bin} of
     * seeded random bytes.
     */
    public static synchronized Image singlePlatform(long seed, String architecture, int... layerSizes) {
        String key = "single-" + architecture + "-" + seed + "-" + Arrays.stream(layerSizes).mapToObj(Integer::toString)
                .collect(Collectors.joining("_"));
        Path dir = CACHE.resolve(key);
        if (!Files.exists(dir.resolve(COMPLETE))) {
            rebuild(dir, work -> {
                Path layout = work.resolve("layout");
                init(layout);
                addImage(work, layout, "image", seed, architecture, layerSizes);
            });
        }
        return new Image(new OciLayout(dir.resolve("layout")), "image");
    }

    /**
     * An OCI image index (tag {@code index}) over two platform manifests, linux/amd64 and linux/arm64, each with its
     * own layers. The platform manifests are also tagged {@code amd64} and {@code arm64} in the layout.
     */
    public static synchronized Image multiPlatform(long seed, int... layerSizes) {
        String key = "multi-" + seed + "-" + Arrays.stream(layerSizes).mapToObj(Integer::toString)
                .collect(Collectors.joining("_"));
        Path dir = CACHE.resolve(key);
        if (!Files.exists(dir.resolve(COMPLETE))) {
            rebuild(dir, work -> {
                Path layout = work.resolve("layout");
                init(layout);
                addImage(work, layout, "amd64", seed, "amd64", layerSizes);
                addImage(work, layout, "arm64", seed + 1_000_003L, "arm64", layerSizes);
                writeIndex(layout, "index", List.of("amd64", "arm64"));
            });
        }
        return new Image(new OciLayout(dir.resolve("layout")), "index");
    }

    /** Seeded random bytes: the same seed and size always give the same content. */
    public static byte[] randomBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes seeded random bytes to a file with a fixed mtime. */
    public static Path randomFile(Path file, long seed, int size) {
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(randomBytes(seed, size));
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse(CREATED)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Builder {
        void build(Path work) throws IOException;
    }

    private static void rebuild(Path dir, Builder builder) {
        try {
            deleteRecursively(dir);
            Files.createDirectories(dir);
            builder.build(dir);
            deleteRecursively(dir.resolve("files"));
            Files.writeString(dir.resolve(COMPLETE), "built " + Instant.now() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void init(Path layout) {
        CommandRunner.ok(ClientTool.UMOCI.require(), "init", "--layout", layout.toString());
    }

    private static void addImage(Path work, Path layout, String tag, long seed, String architecture, int... sizes) {
        String umoci = ClientTool.UMOCI.require();
        String image = layout + ":" + tag;
        CommandRunner.ok(umoci, "new", "--image", image);
        CommandRunner.ok(umoci, "config", "--image", image, "--no-history", "--created", CREATED,
                "--architecture", architecture, "--os", "linux", "--author", "gantry client tests",
                "--config.cmd", "/layer-0.bin");
        for (int i = 0; i < sizes.length; i++) {
            Path file = randomFile(work.resolve("files").resolve(tag).resolve("layer-" + i + ".bin"),
                    seed * 31 + i, sizes[i]);
            CommandRunner.ok(umoci, "insert", "--image", image, "--history.created", CREATED,
                    "--history.created_by", "gantry test layer " + i + " (seed " + seed + ")",
                    file.toString(), "/layer-" + i + ".bin");
        }
    }

    /** Writes an OCI image index over the given tags' manifests as a blob and tags it in index.json. */
    private static void writeIndex(Path layoutDir, String indexTag, List<String> platformTags) throws IOException {
        OciLayout layout = new OciLayout(layoutDir);
        JsonArray manifests = new JsonArray();
        for (String tag : platformTags) {
            OciLayout.Descriptor manifest = layout.resolve(tag);
            JsonObject config = layout.json(layout.json(manifest.digest()).getJsonObject("config").getString("digest"));
            manifests.add(new JsonObject()
                    .put("mediaType", manifest.mediaType())
                    .put("digest", manifest.digest())
                    .put("size", manifest.size())
                    .put("platform", new JsonObject()
                            .put("architecture", config.getString("architecture"))
                            .put("os", config.getString("os"))));
        }
        byte[] index = new JsonObject()
                .put("schemaVersion", 2)
                .put("mediaType", OciLayout.INDEX)
                .put("manifests", manifests)
                .encode().getBytes(StandardCharsets.UTF_8);
        String digest = OciLayout.sha256(index);
        Files.write(layout.blobPath(digest), index);

        JsonObject top = layout.index();
        top.getJsonArray("manifests").add(new JsonObject()
                .put("mediaType", OciLayout.INDEX)
                .put("digest", digest)
                .put("size", index.length)
                .put("annotations", new JsonObject().put(OciLayout.REF_NAME, indexTag)));
        Path tmp = layoutDir.resolve("index.json.tmp");
        Files.writeString(tmp, top.encode());
        Files.move(tmp, layoutDir.resolve("index.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A new temp dir with a short path (under /tmp when it exists): podman refuses a runroot longer than 50 characters
     * and a unix socket path must stay under 108.
     */
    public static Path shortTempDir(String prefix) {
        try {
            Path tmp = Path.of("/tmp");
            return Files.isDirectory(tmp) ? Files.createTempDirectory(tmp, prefix) : Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path path : all) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // best effort: e.g. a busy mount point in a containerd root
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
