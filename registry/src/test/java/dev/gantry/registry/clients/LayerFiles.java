package dev.gantry.registry.clients;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads the regular files of an image layer (a tar, gzip-compressed or not): enough to check what a client built. */
public final class LayerFiles {

    private LayerFiles() {
    }

    /** File name (without a leading "./" or "/") to content, for every regular file in the layer. */
    public static Map<String, byte[]> read(Path layer) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(layer))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw) : raw;
            String longName = null;
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = string(header, 0, 100);
                String prefix = string(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = Long.parseLong(string(header, 124, 12).trim().isEmpty() ? "0"
                        : string(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                byte[] content = in.readNBytes((int) size);
                in.skipNBytes((512 - size % 512) % 512);
                if (type == 'x') {
                    String path = paxPath(content);
                    if (path != null) {
                        longName = path;
                    }
                    continue;
                }
                if (type == 'L') {
                    longName = new String(content, StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                if (type == '0' || type == '\0') {
                    files.put(name.replaceFirst("^\\./", "").replaceFirst("^/", ""), content);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read layer " + layer, e);
        }
        return files;
    }

    private static String paxPath(byte[] records) {
        String text = new String(records, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith("path=", space + 1)) {
                return line.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
}
