package dev.gantry.registry.clients;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A private containerd, as a Kubernetes node runs it but CRI disabled: own root, state and sockets in a short temp
 * dir. Closing it kills it (and what it started) and deletes the dir.
 */
final class PrivateContainerd implements AutoCloseable {

    private final Path dir;
    private final Process process;

    private PrivateContainerd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static PrivateContainerd start() {
        String binary = ClientTool.CONTAINERD.require();
        ClientTool.CTR.require();
        Path dir = TestImages.shortTempDir("gantry-ctd-");
        try {
            Path config = dir.resolve("config.toml");
            Files.writeString(config, """
                    version = 2
                    root = "%1$s/root"
                    state = "%1$s/state"
                    disabled_plugins = ["io.containerd.grpc.v1.cri"]
                    [grpc]
                      address = "%1$s/containerd.sock"
                    [ttrpc]
                      address = "%1$s/containerd-ttrpc.sock"
                    [debug]
                      address = "%1$s/debug.sock"
                    [metrics]
                      address = ""
                    """.formatted(dir));
            Process process = new ProcessBuilder(binary, "--config", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("containerd.log").toFile())
                    .start();
            PrivateContainerd containerd = new PrivateContainerd(dir, process);
            try {
                containerd.awaitReady();
            } catch (RuntimeException | Error e) {
                containerd.close();
                throw e;
            }
            return containerd;
        } catch (IOException e) {
            TestImages.deleteRecursively(dir);
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!process.isAlive()) {
                fail("containerd exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket())
                    && CommandRunner.run(Duration.ofSeconds(10), Map.of(), line("version")).succeeded()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("containerd did not answer on " + socket() + " within 30 s:\n" + log());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private Path socket() {
        return dir.resolve("containerd.sock");
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("containerd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The daemon's side of a failure (ctr reads content through it): its log since start, warnings and errors. */
    private String daemonLog() {
        return "\n\n=== containerd's log, warnings and errors ===\n" + log().lines()
                .filter(l -> !l.contains("level=info") && !l.contains("level=debug"))
                .collect(Collectors.joining("\n"));
    }

    List<String> line(String... args) {
        List<String> line = new ArrayList<>(List.of(ClientTool.CTR.require(), "--address", socket().toString()));
        line.addAll(List.of(args));
        return line;
    }

    private List<String> inNamespace(String namespace, String... args) {
        List<String> all = new ArrayList<>(List.of("--namespace", namespace));
        all.addAll(List.of(args));
        return line(all.toArray(String[]::new));
    }

    /** Runs ctr in a namespace, whatever its outcome. */
    CommandRunner.Result run(String namespace, String... args) {
        return CommandRunner.run(CommandRunner.DEFAULT_TIMEOUT, Map.of(), inNamespace(namespace, args));
    }

    /** Runs ctr in a namespace; on a failed pull, runs it again with --http-dump so the failure shows HTTP. */
    CommandRunner.Result ok(String namespace, String... args) {
        CommandRunner.Result result = run(namespace, args);
        if (!result.succeeded()) {
            if (args.length >= 2 && args[0].equals("images") && (args[1].equals("pull") || args[1].equals("push"))) {
                List<String> dump = inNamespace(namespace, args);
                dump.add(dump.size() - args.length + 2, "--http-dump");
                fail("ctr failed\n" + result.describe() + "\n\n=== the same with --http-dump ===\n"
                        + CommandRunner.run(CommandRunner.DEFAULT_TIMEOUT, Map.of(), dump).describe()
                        + daemonLog());
            }
            fail("ctr failed\n" + result.describe() + daemonLog());
        }
        return result;
    }

    /** The digest column of {@code ctr images ls} for one reference. */
    String imageDigest(String namespace, String reference) {
        for (String row : ok(namespace, "images", "ls").stdout().split("\n")) {
            String[] columns = row.trim().split("\\s+");
            if (columns.length >= 3 && columns[0].equals(reference)) {
                return columns[2];
            }
        }
        throw new AssertionError("ctr images ls has no " + reference);
    }

    List<String> contentDigests(String namespace) {
        return List.of(ok(namespace, "content", "ls", "-q").stdout().split("\\s+"));
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            TestImages.deleteRecursively(dir);
        }
    }
}
