package dev.gantry.registry.clients;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a client as a process with a timeout, capturing stdout and stderr; fails the test with both on a bad exit. */
public final class CommandRunner {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /** What a finished command printed and how it ended. */
    public record Result(List<String> command, int exitCode, byte[] stdoutBytes, String stderr, Duration took) {

        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        public boolean succeeded() {
            return exitCode == 0;
        }

        public String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode + " (after " + took.toMillis()
                    + " ms)\n--- stdout ---\n" + abbreviate(stdout()) + "\n--- stderr ---\n" + abbreviate(stderr);
        }

        private static String abbreviate(String text) {
            return text.length() <= 20_000 ? text : text.substring(0, 10_000) + "\n[... "
                    + (text.length() - 20_000) + " characters cut ...]\n" + text.substring(text.length() - 10_000);
        }
    }

    private CommandRunner() {
    }

    /** Runs the command and fails the test unless it exits 0. */
    public static Result ok(String... command) {
        return ok(DEFAULT_TIMEOUT, Map.of(), List.of(command));
    }

    public static Result ok(List<String> command) {
        return ok(DEFAULT_TIMEOUT, Map.of(), command);
    }

    public static Result ok(Duration timeout, Map<String, String> env, List<String> command) {
        Result result = run(timeout, env, command);
        if (!result.succeeded()) {
            fail("client command failed\n" + result.describe());
        }
        return result;
    }

    /** Runs the command and fails the test unless it exits non-zero (for refusals a client must report). */
    public static Result fails(List<String> command) {
        Result result = run(DEFAULT_TIMEOUT, Map.of(), command);
        if (result.succeeded()) {
            fail("client command was expected to fail but succeeded\n" + result.describe());
        }
        return result;
    }

    public static Result run(Duration timeout, Map<String, String> env, List<String> command) {
        Path out = null;
        Path err = null;
        long started = System.nanoTime();
        try {
            out = Files.createTempFile("gantry-cmd-", ".out");
            err = Files.createTempFile("gantry-cmd-", ".err");
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                Result partial = new Result(List.copyOf(command), -1, Files.readAllBytes(out),
                        Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started));
                fail("client command timed out after " + timeout.toSeconds() + " s and was killed\n"
                        + partial.describe());
            }
            return new Result(List.copyOf(command), process.exitValue(), Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
