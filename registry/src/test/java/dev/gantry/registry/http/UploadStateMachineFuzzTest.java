package dev.gantry.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.api.reference.Digest;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.MetadataStore;
import dev.gantry.registry.storage.RepositoryName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The blob-upload state machine under hostile clients (issue 9): the fuzzer's bytes choose a sequence of requests —
 * start, PATCH with and without Content-Range, chunks out of order or with malformed ranges, PUT with the right, a
 * wrong, a malformed or no digest, status, cancel, and every request again on finished sessions, on another
 * repository's session and on unknown ids — sent over HTTP to the real routes, handlers, services and stores
 * ({@link InProcessRegistry}, SQLite). A model of the sessions predicts every answer. Invariants:
 * <ul>
 *   <li>every answer is the spec's status for the case, with an OCI error body on failure; never a 5xx;</li>
 *   <li>an open session's staging file holds exactly the bytes accepted so far; a finished, failed or cancelled
 *       session leaves no staging file and no session row; after each sequence {@code uploads/} is empty;</li>
 *   <li>a file appears under a digest only if its bytes hash to it, and a blob is linked to a repository only after
 *       an upload of exactly those bytes completed there; a completed upload reads back byte for byte.</li>
 * </ul>
 * Plain builds replay the committed inputs under {@code src/test/resources/.../UploadStateMachineFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes (README, "Fuzzing").
 */
class UploadStateMachineFuzzTest {
    private static final List<String> REPOS = List.of("dev/fuzz/a", "dev/fuzz/b");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OPERATIONS = 24;
    private static final boolean TRACE = System.getenv("GANTRY_FUZZ_TRACE") != null;

    private static Path dataDir;
    private static InProcessRegistry registry;
    /** One client per input, so no connection outlives an input and every committed input reproduces alone. */
    private static HttpClient http;
    /** Blobs completed by any input so far (the server outlives inputs): digest to content, and where linked. */
    private static final Map<Digest, byte[]> stored = new HashMap<>();
    private static final Map<Digest, Set<String>> linkedIn = new HashMap<>();

    private enum State { OPEN, DONE, FAILED, CANCELLED }

    private static final class Session {
        final String repo;
        final String id;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        State state = State.OPEN;

        Session(String repo, String id) {
            this.repo = repo;
            this.id = id;
        }

        String location() {
            return "/v2/" + repo + "/blobs/uploads/" + id;
        }

        boolean open() {
            return state == State.OPEN;
        }
    }

    private record Answer(int status, HttpResponse<byte[]> response) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    @BeforeAll
    static void startRegistry() throws Exception {
        dataDir = Files.createTempDirectory("gantry-upload-fuzz");
        registry = new InProcessRegistry(dataDir);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @FuzzTest
    void anySequenceOfUploadRequestsIsAnsweredAsTheSpecSaysAndLosesOrInventsNoBytes(FuzzedDataProvider data)
            throws Exception {
        // Loopback only (the registry under test). Set on every input: Jazzer resets it when fuzzing starts, and its
        // agent is installed only once the first input is provided, after @BeforeAll.
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections((host, port) ->
                host.equals("127.0.0.1") || host.equals("localhost"));
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            http = client;
            runSequence(data);
        }
    }

    private void runSequence(FuzzedDataProvider data) throws Exception {
        Set<Path> stagedBefore = staged(); // empty, unless an earlier input failed half-way
        List<Session> sessions = new ArrayList<>();
        Set<Digest> touched = new HashSet<>();
        for (int op = 0; op < MAX_OPERATIONS && data.remainingBytes() > 0; op++) {
            switch (data.consumeInt(0, 11)) {
                case 0 -> sessions.add(start(data.pickValue(REPOS)));
                case 1 -> monolithic(data, touched);
                case 2 -> patch(pick(data, sessions), chunk(data), null);
                case 3 -> patchInOrder(pick(data, sessions), chunk(data));
                case 4 -> patchOutOfOrder(data, pick(data, sessions));
                case 5 -> put(data, pick(data, sessions), true, touched);
                case 6 -> put(data, pick(data, sessions), false, touched);
                case 7 -> putWithoutAValidDigest(data, pick(data, sessions));
                case 8 -> status(pick(data, sessions));
                case 9 -> cancel(pick(data, sessions));
                case 10 -> elsewhere(data, pick(data, sessions));
                default -> unknownSession(data);
            }
        }
        BlobStore blobs = registry.bean(BlobStore.class);
        MetadataStore metadata = registry.bean(MetadataStore.class);
        for (Session session : sessions) {
            if (session.open()) {
                assertThat(Files.readAllBytes(blobs.uploadPath(session.id))).as("staging file of %s", session.id)
                        .isEqualTo(session.bytes.toByteArray());
                assertThat(metadata.uploadRepository(session.id)).isEqualTo(name(session.repo));
                cancel(session);
            }
            assertThat(blobs.uploadPath(session.id)).as("staging file of closed %s", session.id).doesNotExist();
            assertThat(metadata.uploadRepository(session.id)).as("row of closed %s", session.id).isNull();
        }
        assertThat(staged()).as("staging files left after every session closed").isEqualTo(stagedBefore);
        for (Digest digest : touched) {
            Path file = blobs.path(digest);
            assertThat(Files.exists(file)).as("a file under %s", digest).isEqualTo(stored.containsKey(digest));
            if (Files.exists(file)) {
                assertThat(hash(digest.algorithm(), Files.readAllBytes(file))).as("bytes under %s", digest)
                        .isEqualTo(digest.encoded());
            }
            for (String repo : REPOS) {
                boolean linked = linkedIn.getOrDefault(digest, Set.of()).contains(repo);
                assertThat(metadata.blobSizeIn(name(repo), digest) >= 0).as("%s linked in %s", digest, repo)
                        .isEqualTo(linked);
            }
        }
    }

    private static Set<Path> staged() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("uploads"))) {
            return new HashSet<>(files.toList());
        }
    }

    private Session start(String repo) throws Exception {
        Answer answer = send("POST", "/v2/" + repo + "/blobs/uploads/", Map.of(), new byte[0]);
        assertThat(answer.status()).as("POST uploads/").isEqualTo(202);
        String id = answer.header("Docker-Upload-UUID");
        assertThat(answer.header("Location")).isEqualTo("/v2/" + repo + "/blobs/uploads/" + id);
        assertThat(answer.header("Range")).isEqualTo("0-0");
        return new Session(repo, id);
    }

    /** POST with ?digest= and the whole blob: stored when the digest is right, nothing kept when it is wrong. */
    private void monolithic(FuzzedDataProvider data, Set<Digest> touched) throws Exception {
        String repo = data.pickValue(REPOS);
        byte[] content = chunk(data);
        boolean right = data.consumeBoolean();
        Digest digest = right ? digest(data, content) : wrongDigest(data, content);
        touched.add(digest);
        Answer answer = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, Map.of(), content);
        if (right) {
            assertCreated(answer, repo, digest, content);
        } else {
            assertError(answer, 400, OciError.DIGEST_INVALID);
        }
    }

    private void patch(Session session, byte[] chunk, String contentRange) throws Exception {
        if (session == null) {
            return;
        }
        Map<String, String> headers = contentRange == null ? Map.of() : Map.of("Content-Range", contentRange);
        Answer answer = send("PATCH", session.location(), headers, chunk);
        if (!session.open()) {
            assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
            return;
        }
        assertThat(answer.status()).as("PATCH %s (%s)", session.location(), contentRange).isEqualTo(202);
        session.bytes.write(chunk);
        assertThat(answer.header("Location")).isEqualTo(session.location());
        assertThat(answer.header("Range")).isEqualTo("0-" + Math.max(0, session.bytes.size() - 1));
    }

    private void patchInOrder(Session session, byte[] chunk) throws Exception {
        if (session != null && chunk.length > 0) {
            long start = session.bytes.size();
            patch(session, chunk, start + "-" + (start + chunk.length - 1));
        }
    }

    /** A Content-Range that does not continue the upload, or is no range at all: 416, and nothing appended. */
    private void patchOutOfOrder(FuzzedDataProvider data, Session session) throws Exception {
        if (session == null) {
            return;
        }
        byte[] chunk = chunk(data);
        long size = session.bytes.size();
        long end = size + chunk.length - 1;
        OciError expected = OciError.BLOB_UPLOAD_INVALID;
        String range = switch (data.consumeInt(0, 4)) {
            case 0 -> {
                long start = Math.max(0, size + data.consumeLong(-1_000, 1_000));
                start = start == size ? size + 1 : start;
                yield start + "-" + (start + chunk.length - 1);
            }
            case 1 -> {
                // the right start, an end that disagrees with the body's length
                long wrongEnd = end + (data.consumeBoolean() ? 1 : -1) * (1 + data.consumeInt(0, 100));
                expected = wrongEnd < size ? OciError.BLOB_UPLOAD_INVALID : OciError.SIZE_INVALID;
                yield size + "-" + wrongEnd;
            }
            case 2 -> "9223372036854775807-9223372036854775807";
            case 3 -> "9999999999999999999-" + end; // 19 digits, beyond a long
            default -> data.pickValue(new String[] {"bytes=", "bytes", "-1-" + end, String.valueOf(size),
                size + "-" + end + "-" + end, "bytes */" + size, size + "-", "0x" + size + "-" + end});
        };
        Answer answer = send("PATCH", session.location(), Map.of("Content-Range", range), chunk);
        if (!session.open()) {
            assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
        } else {
            assertError(answer, 416, expected);
        }
    }

    /** PUT ?digest= with an optional last chunk: right digest stores the blob, a wrong one discards the session. */
    private void put(FuzzedDataProvider data, Session session, boolean right, Set<Digest> touched)
            throws Exception {
        if (session == null) {
            return;
        }
        byte[] chunk = data.consumeBoolean() ? chunk(data) : new byte[0];
        boolean ranged = chunk.length > 0 && data.consumeBoolean();
        byte[] whole = concat(session.bytes.toByteArray(), chunk);
        Digest digest = right ? digest(data, whole) : wrongDigest(data, whole);
        touched.add(digest);
        Map<String, String> headers = ranged ? Map.of("Content-Range",
                session.bytes.size() + "-" + (session.bytes.size() + chunk.length - 1)) : Map.of();
        Answer answer = send("PUT", session.location() + "?digest=" + digest, headers, chunk);
        if (!session.open()) {
            assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
        } else if (right) {
            session.state = State.DONE;
            assertCreated(answer, session.repo, digest, whole);
        } else {
            session.state = State.FAILED;
            assertError(answer, 400, OciError.DIGEST_INVALID);
        }
    }

    /** PUT without ?digest= or with a malformed one: refused before anything is written, the session unchanged. */
    private void putWithoutAValidDigest(FuzzedDataProvider data, Session session) throws Exception {
        if (session == null) {
            return;
        }
        String query = switch (data.consumeInt(0, 4)) {
            case 0 -> "";
            case 1 -> "?digest=sha256:" + "0".repeat(63);
            case 2 -> "?digest=SHA256:" + "a".repeat(64);
            case 3 -> "?digest=md5:d41d8cd98f00b204e9800998ecf8427e";
            default -> "?digest=" + HexFormat.of().formatHex(data.consumeBytes(8));
        };
        Answer answer = send("PUT", session.location() + query, Map.of(), chunk(data));
        assertError(answer, 400, OciError.DIGEST_INVALID);
    }

    private void status(Session session) throws Exception {
        if (session == null) {
            return;
        }
        Answer answer = send("GET", session.location(), Map.of(), null);
        if (!session.open()) {
            assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
            return;
        }
        assertThat(answer.status()).isEqualTo(204);
        assertThat(answer.header("Range")).isEqualTo("0-" + Math.max(0, session.bytes.size() - 1));
        assertThat(answer.header("Docker-Upload-UUID")).isEqualTo(session.id);
    }

    private void cancel(Session session) throws Exception {
        if (session == null) {
            return;
        }
        Answer answer = send("DELETE", session.location(), Map.of(), null);
        if (!session.open()) {
            assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
            return;
        }
        assertThat(answer.status()).as("DELETE %s", session.location()).isEqualTo(204);
        session.state = State.CANCELLED;
    }

    /** A session addressed under the other repository: unknown there, and left as it was. */
    private void elsewhere(FuzzedDataProvider data, Session session) throws Exception {
        if (session == null) {
            return;
        }
        String other = REPOS.get(0).equals(session.repo) ? REPOS.get(1) : REPOS.get(0);
        String location = "/v2/" + other + "/blobs/uploads/" + session.id;
        byte[] whole = concat(session.bytes.toByteArray(), new byte[] {1});
        Answer answer = switch (data.consumeInt(0, 3)) {
            case 0 -> send("PATCH", location, Map.of(), new byte[] {1});
            case 1 -> send("PUT", location + "?digest=" + digest(data, whole), Map.of(), new byte[] {1});
            case 2 -> send("GET", location, Map.of(), null);
            default -> send("DELETE", location, Map.of(), null);
        };
        assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
    }

    private void unknownSession(FuzzedDataProvider data) throws Exception {
        String id = switch (data.consumeInt(0, 3)) {
            case 0 -> UUID.randomUUID().toString();
            case 1 -> UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
            case 2 -> "not-a-session";
            default -> HexFormat.of().formatHex(data.consumeBytes(16));
        };
        if (id.isEmpty()) {
            return;
        }
        String location = "/v2/" + data.pickValue(REPOS) + "/blobs/uploads/" + id;
        Answer answer = switch (data.consumeInt(0, 3)) {
            case 0 -> send("PATCH", location, Map.of(), new byte[] {1});
            case 1 -> send("PUT", location + "?digest=" + digest(data, new byte[] {1}), Map.of(), new byte[0]);
            case 2 -> send("GET", location, Map.of(), null);
            default -> send("DELETE", location, Map.of(), null);
        };
        assertError(answer, 404, OciError.BLOB_UPLOAD_UNKNOWN);
    }

    private void assertCreated(Answer answer, String repo, Digest digest, byte[] content) throws Exception {
        assertThat(answer.status()).as("upload of %d bytes as %s", content.length, digest).isEqualTo(201);
        assertThat(answer.header("Docker-Content-Digest")).isEqualTo(digest.toString());
        assertThat(answer.header("Location")).isEqualTo("/v2/" + repo + "/blobs/" + digest);
        stored.put(digest, content);
        linkedIn.computeIfAbsent(digest, d -> new HashSet<>()).add(repo);
        Answer blob = send("GET", "/v2/" + repo + "/blobs/" + digest, Map.of(), null);
        assertThat(blob.status()).isEqualTo(200);
        assertThat(blob.response().body()).as("blob %s read back", digest).isEqualTo(content);
    }

    /** The status, and the spec's error body with the expected code. */
    private static void assertError(Answer answer, int status, OciError code) throws IOException {
        assertThat(answer.status()).as("status, body %s", new String(answer.response().body())).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        JsonNode error = JSON.readTree(answer.response().body()).path("errors").path(0);
        assertThat(error.path("code").asText()).isEqualTo(code.name());
        assertThat(error.path("message").asText()).isEqualTo(code.message());
        assertThat(error.path("detail").isMissingNode()).isFalse();
    }

    private static Answer send(String method, String path, Map<String, String> headers, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path))
                .timeout(Duration.ofSeconds(20)) // milliseconds normally; a hang is a finding
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", "application/octet-stream");
        }
        headers.forEach(request::header);
        if (TRACE) { // GANTRY_FUZZ_TRACE=1 prints the requests of the inputs replayed, to read a finding
            System.err.printf("fuzz: %s %s %s (%d bytes)%n", method, path, headers, body == null ? 0 : body.length);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (TRACE) {
            System.err.printf("fuzz:   -> %d %s%n", response.statusCode(), new String(response.body()));
        }
        // Whatever the request, the server never fails: a 5xx is a bug, never the client's fault.
        assertThat(response.statusCode()).as("%s %s %s: %s", method, path, headers, new String(response.body()))
                .isLessThan(500);
        return new Answer(response.statusCode(), response);
    }

    private static Session pick(FuzzedDataProvider data, List<Session> sessions) {
        return sessions.isEmpty() ? null : sessions.get(data.consumeInt(0, sessions.size() - 1));
    }

    /** A chunk: short bytes as given, or now and then a long run that crosses the 64 KiB buffers. */
    private static byte[] chunk(FuzzedDataProvider data) {
        byte[] given = data.consumeBytes(data.consumeInt(0, 64));
        if (given.length == 0 || data.consumeInt(0, 15) != 0) {
            return given;
        }
        byte[] run = new byte[data.consumeInt(1, 200_000)];
        for (int i = 0; i < run.length; i++) {
            run[i] = given[i % given.length];
        }
        return run;
    }

    private static Digest digest(FuzzedDataProvider data, byte[] content) {
        String algorithm = data.consumeInt(0, 7) == 0 ? Digest.SHA512 : Digest.SHA256;
        return new Digest(algorithm, hash(algorithm, content));
    }

    private static Digest wrongDigest(FuzzedDataProvider data, byte[] content) {
        return digest(data, concat(content, new byte[] {(byte) data.consumeInt(0, 255)}));
    }

    private static String hash(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(
                    Digest.SHA512.equals(algorithm) ? "SHA-512" : "SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static RepositoryName name(String repo) {
        int first = repo.indexOf('/');
        return new RepositoryName(repo.substring(0, first), repo.substring(first + 1));
    }
}
