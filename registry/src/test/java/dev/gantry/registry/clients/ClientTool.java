package dev.gantry.registry.clients;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A real registry client (or image tool) that the client tests run as a process. A missing binary skips the test,
 * unless clients are required ({@code GANTRY_REQUIRE_CLIENTS=true}, as CI sets, or {@code -Dgantry.requireClients=true},
 * which, being a {@code gantry.*} property, also needs {@code -Dsmallrye.config.mapping.validate-unknown=false}),
 * in which case it fails and names the Debian package that brings it.
 */
public enum ClientTool {
    SKOPEO("skopeo", "skopeo"),
    PODMAN("podman", "podman"),
    BUILDAH("buildah", "buildah"),
    UMOCI("umoci", "umoci"),
    CONTAINERD("containerd", "containerd"),
    CTR("ctr", "containerd"),
    DOCKER_REGISTRY("docker-registry", "docker-registry");

    private final String binary;
    private final String debianPackage;

    ClientTool(String binary, String debianPackage) {
        this.binary = binary;
        this.debianPackage = debianPackage;
    }

    public String binary() {
        return binary;
    }

    public String debianPackage() {
        return debianPackage;
    }

    /** The binary's absolute path; skips (or, when clients are required, fails) the calling test when it is missing. */
    public String require() {
        Optional<Path> found = find();
        if (found.isPresent()) {
            return found.get().toString();
        }
        String message = "'" + binary + "' is not on PATH; install it with: apt-get install -y --no-install-recommends "
                + debianPackage;
        if (clientsRequired()) {
            fail(message + " (clients are required: gantry.requireClients / GANTRY_REQUIRE_CLIENTS is true)");
        }
        Assumptions.abort(message + " (skipping; set GANTRY_REQUIRE_CLIENTS=true to make this a failure)");
        throw new AssertionError("unreachable");
    }

    public Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null || path.isBlank()) {
            path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    public static boolean clientsRequired() {
        String property = System.getProperty("gantry.requireClients");
        String env = System.getenv("GANTRY_REQUIRE_CLIENTS");
        return isTrue(property) || isTrue(env);
    }

    private static boolean isTrue(String value) {
        return value != null && value.trim().toLowerCase(Locale.ROOT).equals("true");
    }
}
