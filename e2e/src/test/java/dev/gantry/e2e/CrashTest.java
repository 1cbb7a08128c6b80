package dev.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.testing.QuarkusProcess;
import dev.gantry.testing.RegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, "never lose data": the real registry process is killed with SIGKILL at a random moment while skopeo pushes
 * images concurrently (three layers each: one shared by every image, one by the images of the round, one of its own,
 * so first uploads of the same digest race, as do the de-duplicating commits) and promotions dev → qa → staging run
 * through {@code POST /api/v1/promotions}: after a random number of the round's pushes succeeded and a random delay,
 * at the next commit the registry has received and not answered (a blob upload's closing PUT or a manifest PUT, seen
 * by {@link CommitWatchingProxy}, which skopeo pushes through), a few milliseconds into it at random, so the kill
 * lands where bytes are renamed into place and rows written rather than mostly in the streaming of layers. It is
 * restarted on the same data directory and database, and then:
 * <ul>
 *   <li>fsck finds nothing but verified files that a push cut off between storing the bytes and recording them left
 *       unrecorded: no partial blob under a digest, no row without its file, no manifest referencing a missing blob
 *       or a repository lacking one; after {@code ?repair=true}, nothing at all;</li>
 *   <li>every push that skopeo reported done is pulled whole by skopeo (which verifies every blob's digest) with the
 *       digest it pushed;</li>
 *   <li>every promotion answered 201 is in its target registry under its tag and in the promotion history.</li>
 * </ul>
 * Several rounds on one store, so each kill also lands on what the earlier rounds left. On SQLite and on PostgreSQL
 * (from {@code GANTRY_TEST_POSTGRES_URL}, {@code _USER}, {@code _PASSWORD} as the storage contract gets it; {@code
 * .ci/run} starts one). The seed of the kill moments is printed; {@code -Dgantry.crash.seed=N} replays it. Logs, every
 * client command and the fsck reports are kept in {@code target/crash-test-<time>-<backend>/}.
 *
 * <p>A SIGKILL ends the process, not the machine: what the kernel had accepted reaches the disk anyway, so this proves
 * the order of the writes (bytes renamed into place before rows commit, one transaction per operation), not the
 * fsyncs, which only a power cut would test.
 */
class CrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 3;
    private static final int IMAGES_PER_ROUND = 12;
    private static final int PUSHERS = 4;
    private static final int PROMOTERS = 2;
    private static final int REPOSITORIES = 3;
    private static final int SIGKILL_STATUS = 128 + 9;
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);

    record Push(int round, String repository, String tag, String digest, List<String> blobs) {
    }

    record Promotion(String id, String repository, String from, String to, String tag, String digest) {
    }

    private final List<Push> pushed = new CopyOnWriteArrayList<>();
    private final List<Promotion> promoted = new CopyOnWriteArrayList<>();
    private final AtomicInteger promotionIds = new AtomicInteger();
    private final AtomicInteger cutOff = new AtomicInteger();
    private Path dir;
    private String skopeo;
    private RegistryServer registry;
    /** What skopeo pushes through, so the kill can be timed into a commit. */
    private CommitWatchingProxy proxy;

    @Test
    void killedDuringPushesAndPromotionsOnSqliteItKeepsEverythingThatReportedSuccess() throws Exception {
        survivesKills("sqlite", Map.of());
    }

    @Test
    void killedDuringPushesAndPromotionsOnPostgresItKeepsEverythingThatReportedSuccess() throws Exception {
        String url = System.getenv("GANTRY_TEST_POSTGRES_URL");
        if (url == null) {
            String why = "no PostgreSQL: set GANTRY_TEST_POSTGRES_URL (and _USER, _PASSWORD); .ci/run does";
            if ("true".equals(System.getenv("GANTRY_REQUIRE_SERVICES"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        String user = System.getenv("GANTRY_TEST_POSTGRES_USER");
        String password = System.getenv("GANTRY_TEST_POSTGRES_PASSWORD");
        String schema = "crash_" + UUID.randomUUID().toString().replace("-", "");
        postgres(url, user, password, "CREATE SCHEMA " + schema);
        try {
            survivesKills("postgres", Map.of(
                    "GANTRY_STORAGE_JDBC_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                    "GANTRY_STORAGE_USERNAME", user,
                    "GANTRY_STORAGE_PASSWORD", password));
        } finally {
            postgres(url, user, password, "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private void survivesKills(String backend, Map<String, String> env) throws Exception {
        skopeo = Clients.require("skopeo", "skopeo");
        QuarkusProcess.jar("registry");
        long seed = Long.getLong("gantry.crash.seed", System.nanoTime());
        System.out.println("CrashTest " + backend + ": seed " + seed + " (replay with -Dgantry.crash.seed=" + seed
                + ")");
        Random random = new Random(seed);
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        dir = Files.createTempDirectory(target, "crash-test-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-")) + backend + "-");
        ImageLayout layout = new ImageLayout(dir.resolve("images"));
        ImageLayout.Layer everywhere = layout.layer("base.bin", 2 << 20, random);

        registry = RegistryServer.startHttp(dir, env);
        proxy = CommitWatchingProxy.start(registry.port());
        boolean passed = false;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                ImageLayout.Layer roundLayer = layout.layer("round-" + round + ".bin", 1 << 20, random);
                List<ImageLayout.Image> images = new ArrayList<>();
                for (int i = 0; i < IMAGES_PER_ROUND; i++) {
                    ImageLayout.Layer own = layout.layer("own.bin", (1 << 19) + random.nextInt(2 << 20), random);
                    images.add(layout.image("r" + round + "-" + i, List.of(everywhere, roundLayer, own)));
                }
                layout.writeIndex();

                writeUntilKilled(backend, round, layout, images, random);
                registry.start();
                fsckFindsOnlyUnrecordedBlobsAndRepairsThem(round);
                everyPushThatSucceededIsPulledWhole(round);
                everyPromotionThatSucceededIsInItsTargetAndTheHistory();
            }
            assertThat(promoted).as("promotions ran beside the pushes").isNotEmpty();
            passed = true;
        } finally {
            proxy.close();
            registry.close();
            System.out.println("CrashTest " + backend + ": " + pushed.size() + " pushes and " + promoted.size()
                    + " promotions that succeeded, all intact" + (passed ? "" : " (FAILED)") + "; logs in " + dir);
            if (passed) { // keep the evidence of a failure; the data of a pass is only bulk
                deleteTree(dir.resolve("images"));
                deleteTree(dir.resolve("registry-data"));
                deleteTree(dir.resolve("pulled"));
            }
        }
    }

    /**
     * Pushers and promoters run until the registry is killed: at a random moment after a random number of this round's
     * pushes succeeded, while the rest are in flight and promotions keep coming.
     */
    private void writeUntilKilled(String backend, int round, ImageLayout layout, List<ImageLayout.Image> images,
            Random random) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger pushing = new AtomicInteger();
        AtomicInteger pushersLeft = new AtomicInteger(PUSHERS);
        int pushedBefore = pushed.size();
        int promotedBefore = promoted.size();
        ExecutorService pool = Executors.newFixedThreadPool(PUSHERS + PROMOTERS);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < PUSHERS; w++) {
            Clients clients = new Clients(dir.resolve("clients-round-" + round + "-pusher-" + w + ".log"));
            workers.add(pool.submit(() -> {
                try {
                    for (int i; !stop.get() && (i = next.getAndIncrement()) < images.size(); ) {
                        ImageLayout.Image image = images.get(i);
                        String repository = "crash/app-" + (i % REPOSITORIES);
                        pushing.incrementAndGet();
                        try {
                            push(clients, round, layout, image, repository);
                        } finally {
                            pushing.decrementAndGet();
                        }
                    }
                } finally {
                    pushersLeft.decrementAndGet();
                }
                return null;
            }));
        }
        for (int w = 0; w < PROMOTERS; w++) {
            Random own = new Random(random.nextLong());
            workers.add(pool.submit(() -> {
                while (!stop.get()) {
                    promoteSomething(backend, own);
                    Thread.sleep(50 + own.nextInt(200));
                }
                return null;
            }));
        }

        // The moment: once a random number of this round's pushes (at most half) have succeeded, plus a random
        // delay, so there is something to verify and the other pushes are still in flight.
        int successes = 1 + random.nextInt(images.size() / 2);
        long delay = random.nextInt(1000);
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(90).toNanos();
        while (pushed.size() - pushedBefore < successes && pushersLeft.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(delay);
        // Then at the next commit (a blob's closing PUT or a manifest PUT) the registry has received and not answered,
        // a few milliseconds into it at random: where bytes are renamed into place and rows written.
        boolean inCommit = proxy.awaitCommitInFlight(Duration.ofSeconds(10));
        LockSupport.parkNanos(random.nextInt(8_000_000));
        int inFlight = pushing.get();
        int commits = proxy.committing();
        int status = registry.kill();
        long killedAt = (System.nanoTime() - started) / 1_000_000;
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(CLIENT_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS))
                .as("the clients gave up after the kill").isTrue();
        for (Future<?> worker : workers) {
            worker.get(); // a worker's own failure (not a refused write) fails the test
        }
        assertThat(status).as("the registry was ended by SIGKILL (exit status 128 + 9)").isEqualTo(SIGKILL_STATUS);
        assertThat(pushed.size() - pushedBefore).as("pushes of round %d that succeeded before the kill (see %s)",
                round, dir).isGreaterThanOrEqualTo(successes);
        System.out.printf("CrashTest %s round %d: SIGKILL at %d ms (%d pushes done + %d ms%s) with %d pushes in "
                + "flight, %d commits unanswered; %d of %d pushes and %d promotions had succeeded, %d promotions cut "
                + "off%n", backend, round, killedAt, successes, delay, inCommit ? " + a commit" : "", inFlight,
                commits, pushed.size() - pushedBefore, images.size(), promoted.size() - promotedBefore,
                cutOff.getAndSet(0));
    }

    private void push(Clients clients, int round, ImageLayout layout, ImageLayout.Image image, String repository)
            throws IOException {
        Path digestFile = dir.resolve("pushed-" + image.tag() + ".digest");
        Clients.Result result = clients.run(CLIENT_TIMEOUT, List.of(skopeo, "--insecure-policy", "copy",
                "--preserve-digests", "--digestfile", digestFile.toString(), "--dest-tls-verify=false",
                "--dest-creds", "admin:" + RegistryServer.ADMIN_PASSWORD, "oci:" + layout.dir() + ":" + image.tag(),
                "docker://" + proxy.hostPort() + "/dev/" + repository + ":" + image.tag()));
        if (result.succeeded()) {
            String digest = Files.readString(digestFile).trim();
            assertThat(digest).as("skopeo pushed the layout's manifest unchanged").isEqualTo(image.manifestDigest());
            pushed.add(new Push(round, repository, image.tag(), digest, image.blobs()));
        }
    }

    /**
     * Promotes a pushed image dev → qa by tag, or a promoted one qa → staging by digest, each under a new target tag
     * and id: every call writes rows (references, a tag, the record) in one transaction.
     */
    private void promoteSomething(String backend, Random random) {
        List<Promotion> toQa = promoted.stream().filter(p -> p.to().equals("qa")).toList();
        int n = promotionIds.incrementAndGet(); // the id and the target tag share it: two promoters never share a tag
        String id = "crash-" + backend + "-" + n;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        Promotion intended;
        if (!toQa.isEmpty() && random.nextBoolean()) {
            Promotion from = toQa.get(random.nextInt(toQa.size()));
            String tag = "s" + n;
            body.putAll(Map.of("repository", from.repository(), "from", "qa", "to", "staging", "digest",
                    from.digest(), "targetTags", List.of(tag)));
            intended = new Promotion(id, from.repository(), "qa", "staging", tag, from.digest());
        } else if (!pushed.isEmpty()) {
            Push from = pushed.get(random.nextInt(pushed.size()));
            String tag = "q" + n;
            body.putAll(Map.of("repository", from.repository(), "from", "dev", "to", "qa", "tag", from.tag(),
                    "targetTags", List.of(tag)));
            intended = new Promotion(id, from.repository(), "dev", "qa", tag, from.digest());
        } else {
            return;
        }
        HttpResponse<String> response;
        try {
            response = registry.adminPostForResponse("/api/v1/promotions", JSON.writeValueAsString(body));
        } catch (IOException e) {
            cutOff.incrementAndGet(); // the registry is gone (killed): not a success, nothing to check
            return;
        }
        if (response.statusCode() == 201) {
            try {
                JsonNode record = JSON.readTree(response.body());
                assertThat(record.path("digest").asText()).as("promotion %s", id).isEqualTo(intended.digest());
            } catch (IOException e) {
                throw new AssertionError("promotion " + id + " answered 201 with " + response.body(), e);
            }
            promoted.add(intended);
        } else {
            // No refusal is expected (every source holds what it is asked for); a 5xx is a failure too, but not one
            // that loses data, so it is reported and the run goes on.
            assertThat(response.statusCode()).as("promotion %s answered %s", body, response.body())
                    .isGreaterThanOrEqualTo(500);
            System.err.println("CrashTest: promotion " + id + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }

    private void fsckFindsOnlyUnrecordedBlobsAndRepairsThem(int round) throws IOException {
        JsonNode found = fsck(round, "found", "");
        List<String> harmful = new ArrayList<>();
        int unrecorded = 0;
        for (JsonNode problem : found.path("problems")) {
            if (problem.path("kind").asText().equals("BLOB_UNRECORDED")) {
                unrecorded++;
            } else {
                harmful.add(problem.toString());
            }
        }
        assertThat(harmful).as("fsck after the kill of round %d (report in %s)", round, dir).isEmpty();
        long stored = pushed.stream().flatMap(p -> Stream.concat(p.blobs().stream(), Stream.of(p.digest())))
                .distinct().count();
        assertThat(found.path("blobsChecked").asLong()).as("fsck hashed at least what the successful pushes stored")
                .isGreaterThanOrEqualTo(stored);

        JsonNode repaired = fsck(round, "repaired", "?repair=true");
        for (JsonNode problem : repaired.path("problems")) {
            assertThat(problem.path("kind").asText()).isEqualTo("BLOB_UNRECORDED");
            assertThat(problem.path("repaired").asBoolean()).as(problem.toString()).isTrue();
        }
        assertThat(fsck(round, "after", "").path("problems")).as("fsck after its repair").isEmpty();
        System.out.printf("CrashTest round %d: fsck hashed %d blobs (%d bytes), found %d unrecorded (recorded by the "
                + "repair) and nothing else%n", round, found.path("blobsChecked").asLong(),
                found.path("bytesHashed").asLong(), unrecorded);
    }

    private JsonNode fsck(int round, String name, String query) throws IOException {
        HttpResponse<String> response = registry.adminPostForResponse("/api/v1/fsck" + query, "");
        Files.writeString(dir.resolve("fsck-round-" + round + "-" + name + ".json"), response.body());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** skopeo inspects every successful push so far, and pulls this round's whole (it verifies every blob). */
    private void everyPushThatSucceededIsPulledWhole(int round) throws Exception {
        Clients clients = new Clients(dir.resolve("clients-round-" + round + "-verify.log"));
        Files.createDirectories(dir.resolve("pulled"));
        ExecutorService pool = Executors.newFixedThreadPool(PUSHERS);
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (Push push : pushed) {
                checks.add(pool.submit(() -> {
                    String reference = "docker://" + registry.hostPort() + "/dev/" + push.repository() + ":"
                            + push.tag();
                    byte[] raw = stdout(List.of(skopeo, "inspect", "--raw", "--tls-verify=false", "--creds",
                            "admin:" + RegistryServer.ADMIN_PASSWORD, reference), round);
                    assertThat(OciImage.sha256(raw)).as("the manifest of %s", reference).isEqualTo(push.digest());
                    if (push.round() == round) {
                        Path pulled = dir.resolve("pulled").resolve(push.tag());
                        clients.ok(CLIENT_TIMEOUT, List.of(skopeo, "--insecure-policy", "copy",
                                "--src-tls-verify=false",
                                "--src-creds", "admin:" + RegistryServer.ADMIN_PASSWORD, reference,
                                "oci:" + pulled + ":" + push.tag()));
                        JsonNode index = JSON.readTree(pulled.resolve("index.json").toFile());
                        assertThat(index.path("manifests").path(0).path("digest").asText())
                                .as("pulled %s", reference).isEqualTo(push.digest());
                    }
                    return null;
                }));
            }
            for (Future<?> check : checks) {
                check.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A command's standard output alone (its errors go to the round's log), which must succeed. */
    private byte[] stdout(List<String> command, int round) throws IOException, InterruptedException {
        Path errors = dir.resolve("clients-round-" + round + "-stderr.log");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " failed; see " + errors);
        }
        return out;
    }

    private void everyPromotionThatSucceededIsInItsTargetAndTheHistory() throws IOException {
        Map<String, List<String>> historyByDigest = new LinkedHashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (Promotion p : promoted) {
            JsonNode record = registry.adminJson("/api/v1/promotions/" + p.id());
            assertThat(record.path("digest").asText()).as(p.id()).isEqualTo(p.digest());
            assertThat(record.path("to").asText()).as(p.id()).isEqualTo(p.to());
            HttpResponse<String> manifest = send(http, HttpRequest.newBuilder(URI.create(registry.url() + "/v2/"
                    + p.to() + "/" + p.repository() + "/manifests/" + p.tag()))
                    .header("Authorization", RegistryServer.basic("admin", RegistryServer.ADMIN_PASSWORD))
                    .header("Accept", OciImage.MANIFEST).GET().build());
            assertThat(manifest.statusCode()).as("%s in %s", p.tag(), p.to()).isEqualTo(200);
            assertThat(manifest.headers().firstValue("Docker-Content-Digest")).as("%s in %s", p.tag(), p.to())
                    .hasValue(p.digest());
            List<String> history = historyByDigest.computeIfAbsent(p.digest(), d -> {
                try {
                    List<String> ids = new ArrayList<>();
                    registry.adminJson("/api/v1/promotions?digest=" + d).forEach(r -> ids.add(r.path("id").asText()));
                    return ids;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(history).as("the history of %s", p.digest()).contains(p.id());
        }
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void postgres(String url, String user, String password, String sql) {
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        try (Connection c = new org.postgresql.Driver().connect(url, credentials); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
