package dev.gantry.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private containerd, configured as a Kubernetes node's but with CRI off: its own root, state and sockets in a short
 * directory under /tmp (socket paths are limited to 108 bytes), its log in {@code log}. Registry trust comes from a
 * hosts directory ({@code DIR/<host:port>/hosts.toml}), as a node's {@code config_path} gives it.
 */
final class PrivateContainerd implements AutoCloseable {
    private final Clients clients;
    private final String ctr;
    private final Path dir;
    private final Process process;

    private PrivateContainerd(Clients clients, String ctr, Path dir, Process process) {
        this.clients = clients;
        this.ctr = ctr;
        this.dir = dir;
        this.process = process;
    }

    static PrivateContainerd start(Clients clients, String containerd, String ctr, Path log) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gantry-ctd-");
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
            Process process = new ProcessBuilder(containerd, "--config", config.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            PrivateContainerd started = new PrivateContainerd(clients, ctr, dir, process);
            try {
                started.awaitReady(log);
            } catch (RuntimeException | Error e) {
                started.close();
                throw e;
            }
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("containerd exited with " + process.exitValue() + "; see " + log);
            }
            if (Files.exists(dir.resolve("containerd.sock")) && ctr("version").succeeded()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("containerd did not answer within 30 s; see " + log);
    }

    /** {@code ctr --address SOCKET ARGS…}, whatever its outcome. */
    Clients.Result ctr(String... args) {
        List<String> command = new ArrayList<>(List.of(ctr, "--address", dir.resolve("containerd.sock").toString()));
        command.addAll(List.of(args));
        return clients.run(Duration.ofSeconds(60), command);
    }

    /** The digest column of {@code ctr images ls} for {@code reference}. */
    String imageDigest(String reference) {
        Clients.Result list = ctr("images", "ls");
        for (String row : list.output().split("\n")) {
            String[] columns = row.trim().split("\\s+");
            if (columns.length >= 3 && columns[0].equals(reference)) {
                return columns[2];
            }
        }
        throw new AssertionError("ctr images ls has no " + reference + ":\n" + list.output());
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // containerd may leave mounts of unpacked snapshots behind; what cannot be deleted is left in /tmp.
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
