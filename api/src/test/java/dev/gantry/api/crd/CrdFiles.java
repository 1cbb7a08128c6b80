package dev.gantry.api.crd;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build put the generated CRDs and where the committed ones live (set by the api module's pom). */
final class CrdFiles {
    private CrdFiles() {
    }

    static Path generated() {
        return folder("gantry.crds.generated", "target/classes/META-INF/fabric8");
    }

    static Path committed() {
        return folder("gantry.crds.committed", "../crds");
    }

    private static Path folder(String property, String fallback) {
        Path path = Path.of(System.getProperty(property, fallback));
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException("no CRD folder at " + path.toAbsolutePath());
        }
        return path;
    }
}
