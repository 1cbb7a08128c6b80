package dev.gantry.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * One OCI image layout holding many tagged images whose layers may be shared, written by hand (as {@link OciImage}
 * writes one image): each blob is stored once, and {@code skopeo copy oci:DIR:TAG} pushes any of them. Layers are real
 * gzipped tars of one file of random bytes (stored, not deflated: random bytes do not compress, and skopeo would
 * re-compress a layer that is not gzip, changing its digest).
 */
final class ImageLayout {
    record Layer(String digest, long size, String diffId) {
    }

    record Image(String tag, String manifestDigest, List<String> blobs) {
    }

    private final Path dir;
    private final List<String> entries = new ArrayList<>();

    ImageLayout(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeIndex();
    }

    Path dir() {
        return dir;
    }

    /** A layer of {@code size} random bytes (in one file named {@code name}). */
    Layer layer(String name, int size, Random random) {
        byte[] content = new byte[size];
        random.nextBytes(content);
        byte[] tar = OciImage.tar(name, content);
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream(tar.length + 1024);
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            gzip.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] blob = gzipped.toByteArray();
        return new Layer(blob(blob), blob.length, OciImage.sha256(tar));
    }

    /** An image over the layers, with a config naming {@code tag} (so every image's digest differs). */
    Image image(String tag, List<Layer> layers) {
        byte[] config = ("{\"architecture\":\"" + OciImage.architecture() + "\",\"os\":\"linux\",\"config\":"
                + "{\"Labels\":{\"tag\":\"" + tag + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + layers.stream().map(l -> "\"" + l.diffId() + "\"").collect(Collectors.joining(",")) + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = blob(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OciImage.MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":["
                + layers.stream().map(l -> "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                        + "\"digest\":\"" + l.digest() + "\",\"size\":" + l.size() + "}")
                        .collect(Collectors.joining(",")) + "]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = blob(manifest);
        entries.add("{\"mediaType\":\"" + OciImage.MANIFEST + "\",\"digest\":\"" + manifestDigest + "\",\"size\":"
                + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}");
        List<String> blobs = new ArrayList<>(layers.stream().map(Layer::digest).toList());
        blobs.add(configDigest);
        return new Image(tag, manifestDigest, blobs);
    }

    /** Writes index.json with every image so far; call it before skopeo reads the layout. */
    void writeIndex() {
        try {
            Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"mediaType\":"
                    + "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" + String.join(",", entries) + "]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String blob(byte[] content) {
        String digest = OciImage.sha256(content);
        try {
            Files.write(dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest;
    }
}
