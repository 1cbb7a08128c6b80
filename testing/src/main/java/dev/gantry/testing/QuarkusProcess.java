package dev.gantry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of Gantry's Quarkus applications (registry, operator, webhook) run as a separate process from its module's
 * build ({@code <module>/target/quarkus-app/quarkus-run.jar}), with the JDK that runs the tests, settings as
 * environment variables and {@code -D} system properties (the only way besides a config file to set indexed keys such
 * as {@code quarkus.tls.NAME.key-store.pem.0.cert}: Quarkus does not map environment variables onto them), its output
 * appended to a log file. It can be stopped and started again with the same settings.
 *
 * <pre>
 * QuarkusProcess operator = QuarkusProcess.of("operator", log).env("POD_NAMESPACE", "gantry-system");
 * operator.start();
 * operator.awaitReady(http, URI.create("http://127.0.0.1:" + port + "/q/health/ready"), Duration.ofSeconds(60));
 * </pre>
 */
public final class QuarkusProcess implements AutoCloseable {
    private final String name;
    private final Path jar;
    private final Path log;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private Path workingDirectory;
    private Process process;

    private QuarkusProcess(String name, Path jar, Path log) {
        this.name = name;
        this.jar = jar;
        this.log = log;
    }

    /**
     * The application built by sibling module {@code module} (the tests run in their own module's directory, as
     * Maven runs them); fails naming the jar and how to build it when it is missing.
     */
    public static QuarkusProcess of(String module, Path log) {
        return new QuarkusProcess(module, jar(module), log);
    }

    /** {@code ../<module>/target/quarkus-app/quarkus-run.jar}, which must exist. */
    public static Path jar(String module) {
        Path jar = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("this test runs the real " + module + " application, but " + jar
                    + " is missing: build it first (./mvnw -pl " + module + " package -DskipTests), or run the whole "
                    + "build, which builds it before the modules that test against it");
        }
        return jar;
    }

    /** A free TCP port on the loopback interface (free now; the caller binds it soon after). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public QuarkusProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** A {@code -Dkey=value} option (before {@code -jar}). */
    public QuarkusProcess property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    public QuarkusProcess workingDirectory(Path directory) {
        this.workingDirectory = directory;
        return this;
    }

    public Path log() {
        return log;
    }

    public synchronized QuarkusProcess start() {
        if (running()) {
            throw new IllegalStateException(name + " is already running");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        builder.environment().putAll(env);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * Waits until {@code health} answers 200 through {@code http} (which carries whatever trust the URL needs);
     * fails at once, with the log's tail, if the process exits.
     */
    public void awaitReady(HttpClient http, URI health, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            Process current;
            synchronized (this) {
                current = process;
            }
            if (current == null || !current.isAlive()) {
                throw new IllegalStateException(name + " exited" + (current == null ? "" : " with "
                        + current.exitValue()) + "; " + tail());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " was not ready at " + health + " within " + timeout.toSeconds()
                + " s (last: " + last + "); " + tail());
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** SIGTERM (Quarkus shuts down gracefully), then SIGKILL after 30 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Ends the process with SIGKILL at once ({@link Process#destroyForcibly()} sends SIGKILL on Linux and macOS), as
     * the kernel's OOM killer or a lost node would: no shutdown hook runs, nothing is flushed or closed. Answers the
     * exit status the JDK reports: 128 + 9 = 137 for a process that SIGKILL ended. It can be started again.
     */
    public synchronized int kill() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        Process killed = process;
        process = null;
        killed.destroyForcibly();
        try {
            if (!killed.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not die within 30 s of SIGKILL");
            }
            return killed.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The last lines of the log, to put in a failure message. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "last lines of " + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40),
                    lines.size()));
        } catch (IOException e) {
            return "see " + log;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
