package dev.gantry.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * A one-layer image written by hand as an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/}),
 * as CI tools leave one for {@code skopeo copy oci:DIR:TAG docker://…}: a gzipped tar holding one file, a config for
 * this machine's platform (so containerd unpacks it), an OCI manifest, and the tag in index.json.
 */
record OciImage(Path layout, String tag, String manifestDigest, String configDigest, String layerDigest) {
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    /** {@code oci:LAYOUT:TAG}, skopeo's name for the image. */
    String ociReference() {
        return "oci:" + layout + ":" + tag;
    }

    static OciImage write(Path layout, String tag, String file, String content) {
        try {
            byte[] tar = tar(file, content.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
                gzip.write(tar);
            }
            byte[] layer = gzipped.toByteArray();
            byte[] config = ("{\"architecture\":\"" + architecture() + "\",\"os\":\"linux\",\"config\":{},"
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256(tar) + "\"]}}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config) + "\",\"size\":"
                    + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                    + "\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : new byte[][] {layer, config, manifest}) {
                Path path = layout.resolve("blobs/sha256").resolve(sha256(blob).substring("sha256:".length()));
                Files.createDirectories(path.getParent());
                Files.write(path, blob);
            }
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"mediaType\":"
                    + "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"" + MANIFEST
                    + "\",\"digest\":\"" + sha256(manifest) + "\",\"size\":" + manifest.length + ",\"annotations\":"
                    + "{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}");
            return new OciImage(layout, tag, sha256(manifest), sha256(config), sha256(layer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POSIX (ustar) archive of one regular file, mode 0644, owned by root. */
    static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 1_700_000_000L));
        put(header, 148, "        "); // the checksum field counts as spaces while the checksum is computed
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        int padded = (content.length + 511) / 512 * 512;
        byte[] tar = new byte[512 + padded + 1024]; // header, content in 512-byte blocks, two zero blocks
        System.arraycopy(header, 0, tar, 0, 512);
        System.arraycopy(content, 0, tar, 512, content.length);
        return tar;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    /** This machine's architecture in OCI's spelling. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
