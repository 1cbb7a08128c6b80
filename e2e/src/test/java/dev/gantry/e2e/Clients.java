package dev.gantry.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real command-line clients (skopeo, containerd, ctr, openssl) run as processes, each command and its output appended
 * to one log. A missing binary skips the calling test, unless clients are required ({@code GANTRY_REQUIRE_CLIENTS=true},
 * as CI sets), in which case it fails naming the Debian package that brings it.
 */
final class Clients {
    /** What one command did: its exit code and its standard output and error, interleaved. */
    record Result(List<String> command, int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }

        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n" + output;
        }
    }

    private final Path log;

    Clients(Path log) {
        this.log = log;
    }

    /** The binary's absolute path; skips the test (fails, when clients are required) if it is not on the PATH. */
    static String require(String binary, String debianPackage) {
        Optional<String> path = Optional.ofNullable(System.getenv("PATH")).filter(p -> !p.isBlank());
        for (String dir : path.orElse("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isBlank() ? "." : dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        String message = "'" + binary + "' is not on PATH; install it with: apt-get install -y "
                + "--no-install-recommends " + debianPackage;
        if (Manifests.clientsRequired()) {
            fail(message + " (clients are required: GANTRY_REQUIRE_CLIENTS is true)");
        }
        Assumptions.abort(message + " (skipping; set GANTRY_REQUIRE_CLIENTS=true to make this a failure)");
        throw new AssertionError("unreachable");
    }

    /** Runs a command to its end (at most {@code timeout}), whatever its outcome. */
    Result run(Duration timeout, List<String> command) {
        try {
            Path output = Files.createTempFile("gantry-client", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                String text = Files.readString(output, StandardCharsets.UTF_8)
                        + (finished ? "" : "\n(killed after " + timeout.toSeconds() + " s)");
                Result result = new Result(command, finished ? process.exitValue() : -1, text);
                Files.writeString(log, "$ " + result.describe() + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                return result;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed. */
    Result ok(Duration timeout, List<String> command) {
        Result result = run(timeout, command);
        if (!result.succeeded()) {
            fail("command failed: " + result.describe());
        }
        return result;
    }
}
