import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak load generator for one OCI registry (bench/soak.sh runs it against Gantry and against Distribution).
 *
 * <pre>java -Xmx1g bench/Soak.java --url=http://127.0.0.1:5000 --out=DIR [--label=Gantry] [--pid=PID] [--gc-log=FILE]
 *      [--clients=50] [--duration=600] [--interval=10] [--push-percent=40] [--delete-percent=0] [--repos=25]
 *      [--prefix=dev/soak] [--pool-layers=48] [--pool-max-kib=24576] [--unique-max-kib=4096] [--seed=1]
 *      [--audit=full|head|off] [--rss-tolerance=10] [--clk-tck=100]</pre>
 *
 * <p>Each client is a virtual thread with its own HTTP/1.1 connection pool that, until the deadline, either pushes an
 * image (unique config, 1–4 layers: shared ones from a fixed pool, so dedup, HEAD-skip and cross-repository mount
 * paths are hit, and unique ones; each blob uploaded monolithically, POST + PUT or in chunks) and tags it, or pulls a
 * random image pushed earlier (by tag, by digest, or HEAD by tag then GET by digest) and checks the digest of every
 * byte it reads; with --delete-percent it also deletes images it pushed (DELETE of the manifest by digest), so that
 * garbage collection has something to collect while pushes reuse the same layers. Every response is checked; anything
 * unexpected — status, header, digest, size, an I/O error — is an error, written with the request to errors.log, never
 * retried. Every interval it samples the server's RSS (VmRSS of
 * the process and its descendants), CPU time and, given the JVM's -Xlog:gc file, the heap after GC. After the load an
 * audit re-reads what was pushed (tags, every blob of every repository, the content of every distinct blob once):
 * nothing acknowledged may be lost. Writes intervals.tsv, summary.json and errors.log into --out; exits 1 on any error.
 *
 * <p>Blob bytes are a private 32-byte head plus a slice of one shared random corpus, streamed, never copied: the load
 * generator's own memory and CPU stay small next to the server's on a 2-core machine.
 */
public class Soak {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    static final String DIGEST_HEADER = "Docker-Content-Digest";
    /**
     * Single-POST uploads only up to this size: Distribution 2.8 answers 202 without reading such a body (it has no
     * single-POST upload) and Go's server then drops the connection once more than 256 KiB are left unread, which a
     * client would see as a reset, not as the spec's fallback.
     */
    static final long SINGLE_POST_MAX = 256 * 1024;
    static final int HEAD_BYTES = 32;
    static final long MIB = 1024 * 1024;
    static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    static byte[] corpus;

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Files.createDirectories(o.out);
        corpus = new byte[(int) Math.max(o.poolMaxBytes, o.uniqueMaxBytes) + 1024];
        new SplittableRandom(o.seed).nextBytes(corpus);
        Soak soak = new Soak(o);
        int rc = soak.run();
        System.exit(rc);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Content

    /** A blob: its own head bytes, then {@code len} bytes of the corpus from {@code off}. */
    record Blob(String digest, byte[] head, int off, int len, String mediaType) {
        long size() {
            return head.length + (long) len;
        }

        static Blob of(byte[] head, int off, int len, String mediaType) {
            MessageDigest md = sha256();
            md.update(head);
            md.update(corpus, off, len);
            return new Blob("sha256:" + HexFormat.of().formatHex(md.digest()), head, off, len, mediaType);
        }

        /** Bytes [from, to) as a streamed body with a Content-Length. */
        BodyPublisher body(long from, long to) {
            if (to <= from) {
                return BodyPublishers.noBody();
            }
            return BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> stream(from, to)), to - from);
        }

        private InputStream stream(long from, long to) {
            int h = head.length;
            InputStream a = new ByteArrayInputStream(head, (int) Math.min(from, h),
                    (int) Math.max(0, Math.min(to, h) - from));
            long s = Math.max(from, h) - h;
            long e = Math.max(to, h) - h;
            InputStream b = new ByteArrayInputStream(corpus, off + (int) s, (int) (e - s));
            return new SequenceInputStream(a, b);
        }
    }

    /** An acknowledged push; {@code deleted} is set before its DELETE is sent, so a pull that loses the race knows. */
    record Image(String repo, String tag, String digest, long manifestSize, List<Blob> blobs, AtomicBoolean deleted) {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** Shared layers of sizes spread evenly on a log scale from 1 KiB to the maximum: the same for every run. */
    static List<Blob> pool(Options o) {
        SplittableRandom rnd = new SplittableRandom(o.seed ^ 0x5eed);
        List<Blob> pool = new ArrayList<>();
        double lo = Math.log(1024);
        double hi = Math.log(o.poolMaxBytes);
        for (int i = 0; i < o.poolLayers; i++) {
            double f = o.poolLayers == 1 ? 1 : (double) i / (o.poolLayers - 1);
            int size = (int) Math.max(HEAD_BYTES, Math.round(Math.exp(lo + (hi - lo) * f)));
            byte[] head = new byte[HEAD_BYTES];
            rnd.nextBytes(head);
            int len = size - HEAD_BYTES;
            pool.add(Blob.of(head, rnd.nextInt(corpus.length - len + 1), len, OCI_LAYER));
        }
        return pool;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Counters

    static final class Latencies {
        private long[] values = new long[1024];
        private int n;

        synchronized void add(long nanos) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = nanos;
        }

        synchronized double percentileMs(double p) {
            if (n == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(values, n);
            Arrays.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * n) - 1;
            return sorted[Math.max(0, Math.min(n - 1, i))] / 1e6;
        }
    }

    final LongAdder pushes = new LongAdder();
    final LongAdder pulls = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder bytesUp = new LongAdder();
    final LongAdder bytesDown = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder auditErrors = new LongAdder();
    final Latencies pushLatency = new Latencies();
    final Latencies pullLatency = new Latencies();
    /** How often each upload and pull path was taken: shows the mix reached every path. */
    final Map<String, LongAdder> paths = new ConcurrentHashMap<>();
    final AtomicInteger errorLines = new AtomicInteger();

    void path(String name) {
        paths.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The run

    final Options o;
    final List<Blob> pool;
    /** Every image pushed and acknowledged and not deleted, for pulls and the audit. */
    final List<Image> images = new ArrayList<>();
    /** Images deleted (acknowledged): the audit checks they stay gone. */
    final List<Image> deletedImages = new ArrayList<>();
    /** A repository each pool layer is known to be in (after its manifest was accepted): the mount source. */
    final Map<String, String> poolHome = new ConcurrentHashMap<>();
    final PrintWriter errorLog;
    volatile long deadline;
    /** Requests of the load alone (the audit's come after). */
    long loadRequests;

    Soak(Options o) throws IOException {
        this.o = o;
        this.pool = pool(o);
        this.errorLog = new PrintWriter(Files.newBufferedWriter(o.out.resolve("errors.log")), true);
    }

    int run() throws Exception {
        long poolBytes = pool.stream().mapToLong(Blob::size).sum();
        log("%s: %d clients for %d s against %s; %d%% pushes into %d repositories under %s, %d%% deletes; pool of %d "
                        + "shared layers (%.1f MiB, 1 KiB–%.1f MiB), unique layers up to %.1f MiB; seed %d",
                o.label, o.clients, o.durationSeconds, o.url, o.pushPercent, o.repos, o.prefix, o.deletePercent,
                pool.size(), poolBytes / (double) MIB, o.poolMaxBytes / (double) MIB, o.uniqueMaxBytes / (double) MIB,
                o.seed);
        Sampler sampler = new Sampler(o);
        long start = System.nanoTime();
        deadline = start + o.durationSeconds * 1_000_000_000L;
        sampler.sample(0, this);
        Thread reporter = Thread.ofPlatform().daemon().name("reporter").start(() -> report(sampler, start));
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < o.clients; i++) {
                int id = i;
                clients.submit(() -> new Client(id).loop());
            }
        }
        long end = System.nanoTime();
        loadRequests = requests.sum();
        reporter.interrupt();
        reporter.join();
        double elapsed = (end - start) / 1e9;
        sampler.sample(elapsed, this);
        log("%s: load finished after %.1f s: %d pushes, %d pulls, %d requests, %d errors", o.label, elapsed,
                pushes.sum(), pulls.sum(), loadRequests, errors.sum());
        Audit audit = o.audit.equals("off") ? new Audit(0, 0, 0, 0, 0, 0) : audit();
        sampler.writeTsv(o.out.resolve("intervals.tsv"));
        writeSummary(sampler, elapsed, audit);
        errorLog.close();
        long total = errors.sum() + auditErrors.sum();
        if (total > 0) {
            log("%s: %d error(s) (%d during the load, %d in the audit): see %s", o.label, total, errors.sum(),
                    auditErrors.sum(), o.out.resolve("errors.log"));
        }
        return total == 0 ? 0 : 1;
    }

    private void report(Sampler sampler, long start) {
        long next = start;
        while (true) {
            next += o.intervalSeconds * 1_000_000_000L;
            long sleep = next - System.nanoTime();
            try {
                if (sleep > 0) {
                    Thread.sleep(Duration.ofNanos(sleep));
                }
            } catch (InterruptedException e) {
                return;
            }
            sampler.sample((System.nanoTime() - start) / 1e9, this);
        }
    }

    synchronized void error(LongAdder counter, String what, Throwable e) {
        counter.increment();
        String line = String.format(Locale.ROOT, "%s %s: %s", LocalTime.now().format(MILLIS), what,
                e instanceof Failure ? e.getMessage() : e.toString());
        errorLog.println(line);
        if (errorLines.incrementAndGet() <= 20) {
            System.err.println("ERROR " + line);
        }
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%s] " + format + "%n",
                prepend(LocalTime.now().withNano(0).format(DateTimeFormatter.ISO_LOCAL_TIME), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** An answer the registry must not give: the message names the request, the status and the server's words. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        /** The answer's status, 0 when the status itself was fine. */
        final int status;

        Failure(String message) {
            this(message, 0);
        }

        Failure(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // One client

    final class Client {
        final int id;
        final SplittableRandom rnd;
        final HttpClient http;
        int seq;
        /** This client's own images, the only ones it deletes. */
        final List<Image> mine = new ArrayList<>();

        Client(int id) {
            this.id = id;
            this.rnd = new SplittableRandom(o.seed * 7919 + id);
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
                    .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        }

        void loop() {
            try (http) {
                while (System.nanoTime() < deadline) {
                    int dice = rnd.nextInt(100);
                    String op = dice < o.deletePercent && !mine.isEmpty() ? "delete"
                            : dice < o.deletePercent + o.pushPercent ? "push" : "pull";
                    Image image = op.equals("pull") ? randomImage(rnd) : null;
                    if (op.equals("pull") && image == null) {
                        op = "push"; // nothing to pull yet
                    }
                    long t0 = System.nanoTime();
                    try {
                        switch (op) {
                            case "push" -> {
                                pushImage();
                                pushLatency.add(System.nanoTime() - t0);
                                pushes.increment();
                            }
                            case "pull" -> {
                                pullImage(image);
                                pullLatency.add(System.nanoTime() - t0);
                                pulls.increment();
                            }
                            default -> {
                                deleteImage(mine.remove(rnd.nextInt(mine.size())));
                                deletes.increment();
                            }
                        }
                    } catch (Failure e) {
                        if (image != null && image.deleted().get() && e.status == 404) {
                            path("pull: 404, the image was deleted meanwhile (expected)");
                        } else {
                            error(errors, "client " + id + " " + op, e);
                        }
                    } catch (IOException | RuntimeException e) {
                        // RuntimeException too: an answer this client cannot even parse (a bad Location, say) is an
                        // error to count, not a reason for the client to vanish silently
                        error(errors, "client " + id + " " + op, e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        // --- push ---

        void pushImage() throws IOException, InterruptedException, Failure {
            String repo = o.prefix + "/app-" + rnd.nextInt(o.repos);
            String tag = "c" + id + "-" + (seq++);
            int n = 1 + rnd.nextInt(4);
            List<Blob> layers = new ArrayList<>();
            List<Boolean> shared = new ArrayList<>();
            while (layers.size() < n) {
                if (rnd.nextInt(100) < 70) {
                    Blob b = pool.get(rnd.nextInt(pool.size()));
                    if (!layers.contains(b)) {
                        layers.add(b);
                        shared.add(true);
                    }
                } else {
                    layers.add(uniqueLayer());
                    shared.add(false);
                }
            }
            Blob config = config(tag, layers);
            upload(repo, config, false);
            for (int i = 0; i < layers.size(); i++) {
                upload(repo, layers.get(i), shared.get(i));
            }
            byte[] manifest = manifest(config, layers);
            String digest = sha256(manifest);
            if (rnd.nextInt(100) < 20) {
                // containerd's order: the manifest by digest first, then the tag
                putManifest(repo, digest, manifest, digest);
                path("manifest by digest, then tag");
            }
            putManifest(repo, tag, manifest, digest);
            path("manifest by tag");
            List<Blob> blobs = new ArrayList<>();
            blobs.add(config);
            blobs.addAll(layers);
            Image image = new Image(repo, tag, digest, manifest.length, List.copyOf(blobs), new AtomicBoolean());
            synchronized (images) {
                images.add(image);
            }
            mine.add(image);
            for (int i = 0; i < layers.size(); i++) {
                if (shared.get(i)) {
                    poolHome.put(layers.get(i).digest(), repo);
                }
            }
        }

        Blob uniqueLayer() {
            double lo = Math.log(256);
            double hi = Math.log(o.uniqueMaxBytes);
            int size = (int) Math.max(HEAD_BYTES, Math.round(Math.exp(lo + (hi - lo) * rnd.nextDouble())));
            byte[] head = new byte[HEAD_BYTES];
            rnd.nextBytes(head);
            int len = size - HEAD_BYTES;
            return Blob.of(head, rnd.nextInt(corpus.length - len + 1), len, OCI_LAYER);
        }

        Blob config(String tag, List<Blob> layers) {
            StringBuilder ids = new StringBuilder();
            for (Blob l : layers) {
                ids.append(ids.isEmpty() ? "" : ",").append('"').append(l.digest()).append('"');
            }
            String json = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                    + "\"diff_ids\":[" + ids + "]},\"history\":[{\"created_by\":\"gantry soak client " + id + " " + tag
                    + " " + Long.toHexString(rnd.nextLong()) + "\"}]}";
            return Blob.of(json.getBytes(StandardCharsets.UTF_8), 0, 0, OCI_CONFIG);
        }

        byte[] manifest(Blob config, List<Blob> layers) {
            StringBuilder s = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST
                    + "\",\"config\":");
            descriptor(s, config);
            s.append(",\"layers\":[");
            for (int i = 0; i < layers.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                descriptor(s, layers.get(i));
            }
            s.append("]}");
            return s.toString().getBytes(StandardCharsets.UTF_8);
        }

        private static void descriptor(StringBuilder s, Blob b) {
            s.append("{\"mediaType\":\"").append(b.mediaType()).append("\",\"digest\":\"").append(b.digest())
                    .append("\",\"size\":").append(b.size()).append('}');
        }

        /**
         * One blob into one repository. Shared layers first try what clients with a blob-info cache do: HEAD (skip when
         * present) or a cross-repository mount from where the layer is known to be; otherwise, or on the spec's 202
         * fallback, an upload by one of three methods.
         */
        void upload(String repo, Blob blob, boolean shared) throws IOException, InterruptedException, Failure {
            URI session = null;
            if (shared) {
                int how = rnd.nextInt(3);
                if (how == 0) {
                    HttpResponse<InputStream> r = send(request("/v2/" + repo + "/blobs/" + blob.digest())
                            .method("HEAD", BodyPublishers.noBody()).build(), 0);
                    int status = expect(r, 200, 404);
                    drain(r);
                    if (status == 200) {
                        expectHeader(r, "Content-Length", String.valueOf(blob.size()));
                        path("shared layer: HEAD 200, upload skipped");
                        return;
                    }
                    path("shared layer: HEAD 404, uploaded");
                } else if (how == 1) {
                    String from = poolHome.get(blob.digest());
                    if (from != null && !from.equals(repo)) {
                        HttpResponse<InputStream> r = send(request("/v2/" + repo + "/blobs/uploads/?mount="
                                + blob.digest() + "&from=" + from).POST(BodyPublishers.noBody()).build(), 0);
                        int status = expect(r, 201, 202);
                        drain(r);
                        if (status == 201) {
                            expectHeader(r, DIGEST_HEADER, blob.digest());
                            location(r);
                            path("shared layer: mounted (201)");
                            return;
                        }
                        session = location(r);
                        path("shared layer: mount answered 202, uploaded");
                    } else {
                        path("shared layer: no other repository to mount from, uploaded");
                    }
                } else {
                    path("shared layer: uploaded without asking");
                }
            }
            int method = rnd.nextInt(3);
            if (method == 0 && session == null && blob.size() <= SINGLE_POST_MAX) {
                singlePost(repo, blob);
            } else if (method <= 1) {
                postPut(repo, blob, session);
            } else {
                chunked(repo, blob, session);
            }
        }

        /** The spec's single-request upload: POST ?digest= with the body; 202 means "use POST + PUT". */
        void singlePost(String repo, Blob blob) throws IOException, InterruptedException, Failure {
            HttpResponse<InputStream> r = send(request("/v2/" + repo + "/blobs/uploads/?digest=" + blob.digest())
                    .header("Content-Type", "application/octet-stream")
                    .POST(blob.body(0, blob.size())).build(), blob.size());
            int status = expect(r, 201, 202);
            drain(r);
            if (status == 201) {
                expectHeader(r, DIGEST_HEADER, blob.digest());
                path("upload: single POST (201)");
                return;
            }
            path("upload: single POST answered 202, then PUT");
            finish(location(r), blob, 0);
        }

        /** POST, then one PUT with the whole body (containerd). */
        void postPut(String repo, Blob blob, URI session) throws IOException, InterruptedException, Failure {
            URI at = session != null ? session : startSession(repo);
            path("upload: POST + PUT");
            finish(at, blob, 0);
        }

        /** POST, PATCHes with Content-Range, then PUT ?digest= (empty, or carrying the last chunk). */
        void chunked(String repo, Blob blob, URI session) throws IOException, InterruptedException, Failure {
            URI at = session != null ? session : startSession(repo);
            long size = blob.size();
            long chunk = Math.max(64 * 1024, size / (1 + rnd.nextInt(4)) + 1);
            boolean lastInPut = rnd.nextBoolean() && size > 0;
            long done = 0;
            while (done < size) {
                long end = Math.min(size, done + chunk);
                if (end == size && lastInPut && done > 0) {
                    path("upload: chunked, last chunk in PUT");
                    finish(at, blob, done);
                    return;
                }
                HttpResponse<InputStream> r = send(request(at).method("PATCH", blob.body(done, end))
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", done + "-" + (end - 1)).build(), end - done);
                expect(r, 202);
                drain(r);
                expectHeader(r, "Range", "0-" + (end - 1));
                at = location(r);
                done = end;
            }
            path("upload: chunked, empty PUT");
            finish(at, blob, size);
        }

        URI startSession(String repo) throws IOException, InterruptedException, Failure {
            HttpResponse<InputStream> r = send(request("/v2/" + repo + "/blobs/uploads/")
                    .POST(BodyPublishers.noBody()).build(), 0);
            expect(r, 202);
            drain(r);
            return location(r);
        }

        /** PUT ?digest= with the bytes from {@code from} to the end (none when the PATCHes sent them all). */
        void finish(URI session, Blob blob, long from) throws IOException, InterruptedException, Failure {
            String s = session.toString();
            URI put = URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + blob.digest());
            HttpRequest.Builder b = request(put).header("Content-Type", "application/octet-stream");
            if (from > 0 && from < blob.size()) {
                b.header("Content-Range", from + "-" + (blob.size() - 1));
            }
            HttpResponse<InputStream> r = send(b.PUT(blob.body(from, blob.size())).build(), blob.size() - from);
            expect(r, 201);
            drain(r);
            expectHeader(r, DIGEST_HEADER, blob.digest());
        }

        void putManifest(String repo, String reference, byte[] manifest, String digest)
                throws IOException, InterruptedException, Failure {
            HttpResponse<InputStream> r = send(request("/v2/" + repo + "/manifests/" + reference)
                    .header("Content-Type", OCI_MANIFEST).PUT(BodyPublishers.ofByteArray(manifest)).build(),
                    manifest.length);
            expect(r, 201);
            drain(r);
            expectHeader(r, DIGEST_HEADER, digest);
        }

        // --- delete ---

        /** Withdraws the image from the pulls, then DELETEs its manifest by digest (which takes its tag along). */
        void deleteImage(Image image) throws IOException, InterruptedException, Failure {
            image.deleted().set(true);
            synchronized (images) {
                images.remove(image);
            }
            HttpResponse<InputStream> r = send(request("/v2/" + image.repo() + "/manifests/" + image.digest())
                    .DELETE().build(), 0);
            expect(r, 202);
            drain(r);
            synchronized (deletedImages) {
                deletedImages.add(image);
            }
            path("delete: manifest by digest");
        }

        // --- pull ---

        void pullImage(Image image) throws IOException, InterruptedException, Failure {
            int how = rnd.nextInt(3);
            String reference = how == 1 ? image.digest() : image.tag();
            if (how == 2) {
                // containerd resolves the tag with HEAD, then GETs by digest
                HttpResponse<InputStream> r = send(request("/v2/" + image.repo() + "/manifests/" + image.tag())
                        .header("Accept", OCI_MANIFEST).method("HEAD", BodyPublishers.noBody()).build(), 0);
                expect(r, 200);
                drain(r);
                expectHeader(r, DIGEST_HEADER, image.digest());
                reference = image.digest();
                path("pull: HEAD by tag, GET by digest");
            } else {
                path(how == 1 ? "pull: GET by digest" : "pull: GET by tag");
            }
            getManifest(image, reference);
            for (Blob b : image.blobs()) {
                getBlob(image.repo(), b);
            }
        }

        void getManifest(Image image, String reference) throws IOException, InterruptedException, Failure {
            HttpResponse<InputStream> r = send(request("/v2/" + image.repo() + "/manifests/" + reference)
                    .header("Accept", OCI_MANIFEST).GET().build(), 0);
            expect(r, 200);
            Read read = read(r);
            if (!read.digest.equals(image.digest()) || read.bytes != image.manifestSize()) {
                throw new Failure(describe(r) + ": manifest content is " + read.digest + " (" + read.bytes
                        + " bytes), pushed " + image.digest() + " (" + image.manifestSize() + " bytes)");
            }
            expectHeader(r, DIGEST_HEADER, image.digest());
            expectHeader(r, "Content-Type", OCI_MANIFEST);
        }

        void getBlob(String repo, Blob blob) throws IOException, InterruptedException, Failure {
            HttpResponse<InputStream> r = send(request("/v2/" + repo + "/blobs/" + blob.digest()).GET().build(), 0);
            expect(r, 200);
            Read read = read(r);
            if (!read.digest.equals(blob.digest()) || read.bytes != blob.size()) {
                throw new Failure(describe(r) + ": blob content is " + read.digest + " (" + read.bytes
                        + " bytes), pushed " + blob.digest() + " (" + blob.size() + " bytes)");
            }
            Optional<String> header = r.headers().firstValue(DIGEST_HEADER);
            if (header.isPresent() && !header.get().equals(blob.digest())) {
                throw new Failure(describe(r) + ": " + DIGEST_HEADER + " " + header.get() + ", expected "
                        + blob.digest());
            }
        }

        // --- HTTP ---

        HttpRequest.Builder request(String path) {
            return request(o.url.resolve(path));
        }

        HttpRequest.Builder request(URI uri) {
            return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5));
        }

        HttpResponse<InputStream> send(HttpRequest request, long bodyBytes) throws IOException, InterruptedException {
            requests.increment();
            try {
                HttpResponse<InputStream> r = http.send(request, BodyHandlers.ofInputStream());
                bytesUp.add(bodyBytes);
                return r;
            } catch (IOException e) {
                throw new IOException(request.method() + " " + request.uri() + ": " + e, e);
            }
        }

        URI location(HttpResponse<InputStream> r) throws Failure {
            String location = r.headers().firstValue("Location").orElseThrow(() -> new Failure(describe(r)
                    + ": no Location header"));
            return r.request().uri().resolve(location);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Response checks

    record Read(String digest, long bytes) {
    }

    Read read(HttpResponse<InputStream> r) throws IOException {
        MessageDigest md = sha256();
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = r.body()) {
            int k;
            while ((k = in.read(buf)) >= 0) {
                md.update(buf, 0, k);
                n += k;
            }
        }
        bytesDown.add(n);
        return new Read("sha256:" + HexFormat.of().formatHex(md.digest()), n);
    }

    void drain(HttpResponse<InputStream> r) throws IOException {
        try (InputStream in = r.body()) {
            bytesDown.add(in.transferTo(OutputStreamNull.INSTANCE));
        }
    }

    static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /** The status, which must be one of {@code allowed}; else the body (the registry's error) goes in the failure. */
    static int expect(HttpResponse<InputStream> r, int... allowed) throws Failure, IOException {
        for (int a : allowed) {
            if (r.statusCode() == a) {
                return a;
            }
        }
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(600);
        }
        throw new Failure(describe(r) + ": expected " + Arrays.toString(allowed) + "; body: "
                + new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " "), r.statusCode());
    }

    static void expectHeader(HttpResponse<InputStream> r, String name, String expected) throws Failure {
        Optional<String> value = r.headers().firstValue(name);
        if (value.isEmpty() || !value.get().equals(expected)) {
            throw new Failure(describe(r) + ": header " + name + " is " + value.orElse("missing") + ", expected "
                    + expected);
        }
    }

    static String describe(HttpResponse<?> r) {
        return r.request().method() + " " + r.request().uri().getRawPath()
                + Optional.ofNullable(r.request().uri().getRawQuery()).map(q -> "?" + q).orElse("") + " → "
                + r.statusCode() + r.headers().firstValue("X-Request-Id").map(id -> " (X-Request-Id " + id + ")")
                .orElse("");
    }

    /** A random image to pull, or null when there is none (yet). */
    Image randomImage(SplittableRandom rnd) {
        synchronized (images) {
            return images.isEmpty() ? null : images.get(rnd.nextInt(images.size()));
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Audit: everything acknowledged must still be there

    record Audit(int manifests, int blobLinks, int distinctBlobs, int deleted, long bytesRead, double seconds) {
    }

    Audit audit() throws InterruptedException {
        List<Image> all;
        synchronized (images) {
            all = List.copyOf(images);
        }
        Map<String, Blob> links = new LinkedHashMap<>(); // repo + " " + digest -> blob
        Map<String, String> distinct = new LinkedHashMap<>(); // digest -> a repository holding it
        Map<String, Blob> blobs = new LinkedHashMap<>();
        for (Image image : all) {
            for (Blob b : image.blobs()) {
                links.putIfAbsent(image.repo() + " " + b.digest(), b);
                distinct.putIfAbsent(b.digest(), image.repo());
                blobs.putIfAbsent(b.digest(), b);
            }
        }
        List<Image> gone;
        synchronized (deletedImages) {
            gone = List.copyOf(deletedImages);
        }
        boolean full = o.audit.equals("full");
        log("%s: audit: %d tags (GET, digest checked), %d blobs in their repositories (HEAD)%s%s", o.label,
                all.size(), links.size(), full ? ", " + distinct.size() + " distinct blobs read in full" : "",
                gone.isEmpty() ? "" : ", " + gone.size() + " deleted images (HEAD by digest and tag: 404)");
        long before = bytesDown.sum();
        long t0 = System.nanoTime();
        Client client = new Client(-1);
        Semaphore slots = new Semaphore(o.clients);
        List<Future<?>> work = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Image image : all) {
                work.add(pool.submit(() -> audited(slots, "audit tag " + image.repo() + ":" + image.tag(),
                        () -> client.getManifest(image, image.tag()))));
            }
            for (Map.Entry<String, Blob> e : links.entrySet()) {
                String repo = e.getKey().substring(0, e.getKey().indexOf(' '));
                Blob b = e.getValue();
                work.add(pool.submit(() -> audited(slots, "audit blob " + repo + "@" + b.digest(), () -> {
                    HttpResponse<InputStream> r = client.send(client.request("/v2/" + repo + "/blobs/" + b.digest())
                            .method("HEAD", BodyPublishers.noBody()).build(), 0);
                    expect(r, 200);
                    drain(r);
                    expectHeader(r, "Content-Length", String.valueOf(b.size()));
                })));
            }
            for (Image image : gone) {
                String what = "audit deleted " + image.repo() + "@" + image.digest();
                work.add(pool.submit(() -> audited(slots, what, () -> {
                    for (String reference : List.of(image.digest(), image.tag())) {
                        HttpResponse<InputStream> r = client.send(client.request("/v2/" + image.repo() + "/manifests/"
                                + reference).header("Accept", OCI_MANIFEST).method("HEAD", BodyPublishers.noBody())
                                .build(), 0);
                        expect(r, 404);
                        drain(r);
                    }
                })));
            }
            if (full) {
                for (Map.Entry<String, String> e : distinct.entrySet()) {
                    Blob b = blobs.get(e.getKey());
                    work.add(pool.submit(() -> audited(slots, "audit content " + e.getValue() + "@" + b.digest(),
                            () -> client.getBlob(e.getValue(), b))));
                }
            }
        }
        client.http.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Audit audit = new Audit(all.size(), links.size(), full ? distinct.size() : 0, gone.size(),
                bytesDown.sum() - before, seconds);
        log("%s: audit done in %.1f s: %d error(s)", o.label, seconds, auditErrors.sum());
        return audit;
    }

    interface Check {
        void run() throws IOException, InterruptedException, Failure;
    }

    private Void audited(Semaphore slots, String what, Check check) throws InterruptedException {
        slots.acquire();
        try {
            check.run();
        } catch (Failure | IOException | RuntimeException e) {
            error(auditErrors, what, e);
        } finally {
            slots.release();
        }
        return null;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Samples: server memory, CPU and heap, and the load per interval

    static final class Sampler {
        record Sample(double t, long pushes, long pulls, long requests, long up, long down, long errors, long rssKib,
                      double cpuSeconds, long heapAfterGcKib, int gcs, double maxPauseMs) {
        }

        private static final Pattern GC_LINE = Pattern.compile(
                "GC\\(\\d+\\) (.*?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) ([0-9.]+)ms");
        final Options o;
        final List<Sample> samples = new ArrayList<>();
        long gcOffset;

        Sampler(Options o) {
            this.o = o;
        }

        synchronized void sample(double t, Soak s) {
            long rss = -1;
            double cpu = -1;
            if (o.pid > 0) {
                rss = 0;
                cpu = 0;
                for (long pid : processTree(o.pid)) {
                    rss += rssKib(pid);
                    cpu += cpuSeconds(pid, o.clkTck);
                }
            }
            long[] heap = gcSince();
            Sample sample = new Sample(t, s.pushes.sum(), s.pulls.sum(), s.requests.sum(), s.bytesUp.sum(),
                    s.bytesDown.sum(), s.errors.sum(), rss, cpu, heap[0], (int) heap[1], heap[2] / 1000.0);
            Sample prev = samples.isEmpty() ? null : samples.getLast();
            samples.add(sample);
            if (prev != null) {
                double dt = Math.max(1e-3, t - prev.t());
                System.out.printf(Locale.ROOT, "%s t=%5.0fs  push %5.1f/s  pull %5.1f/s  req %6.0f/s  up %6.1f MiB/s  "
                                + "down %6.1f MiB/s  errors %d  RSS %s  heap after GC %s  GCs %d  CPU %s%n", o.label, t,
                        (sample.pushes() - prev.pushes()) / dt, (sample.pulls() - prev.pulls()) / dt,
                        (sample.requests() - prev.requests()) / dt, (sample.up() - prev.up()) / dt / MIB,
                        (sample.down() - prev.down()) / dt / MIB, sample.errors(), mib(rss), mib(heap[0]), heap[1],
                        cpu < 0 || prev.cpuSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.0f%%",
                                100 * (cpu - prev.cpuSeconds()) / dt));
            } else {
                System.out.printf(Locale.ROOT, "%s t=0s (before the load)  RSS %s%n", o.label, mib(rss));
            }
        }

        static String mib(long kib) {
            return kib < 0 ? "-" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
        }

        static List<Long> processTree(long pid) {
            List<Long> pids = new ArrayList<>();
            ProcessHandle.of(pid).ifPresent(p -> {
                pids.add(p.pid());
                p.descendants().forEach(d -> pids.add(d.pid()));
            });
            return pids;
        }

        static long rssKib(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone between listing and reading
            }
            return 0;
        }

        static double cpuSeconds(long pid, int clkTck) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // after the command: state(0) … utime(11) stime(12)
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clkTck;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        /** {lowest heap after a GC since the last sample (KiB, -1: none), GC count, longest pause (µs)}. */
        long[] gcSince() {
            long[] result = {-1, 0, 0};
            if (o.gcLog == null || !Files.exists(o.gcLog)) {
                return result;
            }
            try (RandomAccessFile f = new RandomAccessFile(o.gcLog.toFile(), "r")) {
                if (f.length() < gcOffset) {
                    gcOffset = 0;
                }
                f.seek(gcOffset);
                byte[] rest = new byte[(int) (f.length() - gcOffset)];
                f.readFully(rest);
                String text = new String(rest, StandardCharsets.UTF_8);
                int lastNewline = text.lastIndexOf('\n');
                if (lastNewline < 0) {
                    return result;
                }
                gcOffset += text.substring(0, lastNewline + 1).getBytes(StandardCharsets.UTF_8).length;
                for (String line : text.substring(0, lastNewline).split("\n")) {
                    Matcher m = GC_LINE.matcher(line);
                    if (m.find()) {
                        long after = kib(Long.parseLong(m.group(4)), m.group(5));
                        result[0] = result[0] < 0 ? after : Math.min(result[0], after);
                        result[1]++;
                        result[2] = Math.max(result[2], Math.round(Double.parseDouble(m.group(8)) * 1000));
                    }
                }
            } catch (IOException e) {
                // the next sample tries again
            }
            return result;
        }

        static long kib(long v, String unit) {
            return switch (unit) {
                case "K" -> v;
                case "M" -> v * 1024;
                default -> v * 1024 * 1024;
            };
        }

        void writeTsv(Path file) throws IOException {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
                w.println("t_s\tpushes\tpulls\trequests\tmib_up\tmib_down\terrors\trss_mib\tcpu_s"
                        + "\theap_after_gc_mib\tgcs\tmax_gc_pause_ms");
                Sample prev = null;
                for (Sample s : samples) {
                    w.printf(Locale.ROOT, "%.0f\t%d\t%d\t%d\t%.1f\t%.1f\t%d\t%s\t%s\t%s\t%d\t%.1f%n", s.t(),
                            s.pushes() - (prev == null ? 0 : prev.pushes()),
                            s.pulls() - (prev == null ? 0 : prev.pulls()),
                            s.requests() - (prev == null ? 0 : prev.requests()),
                            (s.up() - (prev == null ? 0 : prev.up())) / (double) MIB,
                            (s.down() - (prev == null ? 0 : prev.down())) / (double) MIB, s.errors(),
                            s.rssKib() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", s.rssKib() / 1024.0),
                            s.cpuSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", s.cpuSeconds()),
                            s.heapAfterGcKib() < 0 ? "-"
                                    : String.format(Locale.ROOT, "%.1f", s.heapAfterGcKib() / 1024.0),
                            s.gcs(), s.maxPauseMs());
                    prev = s;
                }
            }
        }

        /** Median of a value over the samples taken in (from, to] of the load's duration. */
        double median(double from, double to, java.util.function.ToLongFunction<Sample> value) {
            long[] v = samples.stream().filter(s -> s.t() > from && s.t() <= to).mapToLong(value)
                    .filter(x -> x >= 0).sorted().toArray();
            if (v.length == 0) {
                return Double.NaN;
            }
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Summary

    void writeSummary(Sampler sampler, double elapsed, Audit audit) throws IOException {
        List<Sampler.Sample> s = sampler.samples;
        double third = elapsed / 3;
        double rss2 = sampler.median(third, 2 * third, Sampler.Sample::rssKib) / 1024;
        double rss3 = sampler.median(2 * third, elapsed + 1, Sampler.Sample::rssKib) / 1024;
        double heap2 = sampler.median(third, 2 * third, Sampler.Sample::heapAfterGcKib) / 1024;
        double heap3 = sampler.median(2 * third, elapsed + 1, Sampler.Sample::heapAfterGcKib) / 1024;
        double rssRatio = rss3 / rss2;
        boolean flat = rssRatio <= 1 + o.rssTolerancePercent / 100.0;
        long rssMax = s.stream().mapToLong(Sampler.Sample::rssKib).max().orElse(-1);
        long heapMax = s.stream().mapToLong(Sampler.Sample::heapAfterGcKib).max().orElse(-1);
        // the first sample holds the collections of the server's start, before the load
        int gcs = s.stream().skip(1).mapToInt(Sampler.Sample::gcs).sum();
        double maxPause = s.stream().skip(1).mapToDouble(Sampler.Sample::maxPauseMs).max().orElse(0);
        double cpu = s.getLast().cpuSeconds() < 0 ? -1 : s.getLast().cpuSeconds() - s.getFirst().cpuSeconds();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", o.label);
        m.put("url", o.url.toString());
        m.put("clients", o.clients);
        m.put("duration_s", o.durationSeconds);
        m.put("elapsed_s", elapsed);
        m.put("interval_s", o.intervalSeconds);
        m.put("push_percent", o.pushPercent);
        m.put("delete_percent", o.deletePercent);
        m.put("repositories", o.repos);
        m.put("pool_layers", pool.size());
        m.put("pool_mib", pool.stream().mapToLong(Blob::size).sum() / (double) MIB);
        m.put("pool_max_mib", o.poolMaxBytes / (double) MIB);
        m.put("unique_max_mib", o.uniqueMaxBytes / (double) MIB);
        m.put("seed", o.seed);
        m.put("pushes", pushes.sum());
        m.put("pulls", pulls.sum());
        m.put("deletes", deletes.sum());
        m.put("requests", loadRequests);
        m.put("mib_up", bytesUp.sum() / (double) MIB);
        m.put("mib_down", (bytesDown.sum() - audit.bytesRead()) / (double) MIB);
        m.put("errors", errors.sum());
        m.put("audit_errors", auditErrors.sum());
        m.put("audit_tags", audit.manifests());
        m.put("audit_blob_links", audit.blobLinks());
        m.put("audit_distinct_blobs", audit.distinctBlobs());
        m.put("audit_deleted", audit.deleted());
        m.put("audit_mib", audit.bytesRead() / (double) MIB);
        m.put("audit_s", audit.seconds());
        m.put("images_per_s", (pushes.sum() + pulls.sum()) / elapsed);
        m.put("pushes_per_s", pushes.sum() / elapsed);
        m.put("pulls_per_s", pulls.sum() / elapsed);
        m.put("requests_per_s", loadRequests / elapsed);
        m.put("mib_per_s", (bytesUp.sum() + bytesDown.sum() - audit.bytesRead()) / (double) MIB / elapsed);
        m.put("push_p50_ms", pushLatency.percentileMs(50));
        m.put("push_p99_ms", pushLatency.percentileMs(99));
        m.put("pull_p50_ms", pullLatency.percentileMs(50));
        m.put("pull_p99_ms", pullLatency.percentileMs(99));
        m.put("rss_start_mib", s.getFirst().rssKib() / 1024.0);
        m.put("rss_max_mib", rssMax / 1024.0);
        m.put("rss_end_mib", s.getLast().rssKib() / 1024.0);
        m.put("rss_second_third_median_mib", rss2);
        m.put("rss_last_third_median_mib", rss3);
        m.put("rss_ratio", rssRatio);
        m.put("rss_tolerance_percent", o.rssTolerancePercent);
        m.put("rss_flat", o.pid > 0 && flat);
        m.put("heap_after_gc_second_third_median_mib", heap2);
        m.put("heap_after_gc_last_third_median_mib", heap3);
        m.put("heap_after_gc_max_mib", heapMax < 0 ? Double.NaN : heapMax / 1024.0);
        m.put("gcs", gcs);
        m.put("gc_max_pause_ms", maxPause);
        m.put("server_cpu_s", cpu);
        m.put("server_cpu_ms_per_image", cpu < 0 ? -1 : 1000 * cpu / Math.max(1, pushes.sum() + pulls.sum()));
        Map<String, Long> counted = new TreeMap<>();
        paths.forEach((k, v) -> counted.put(k, v.sum()));
        m.put("paths", counted);
        Files.writeString(o.out.resolve("summary.json"), json(m) + "\n");
    }

    static String json(Object v) {
        if (v instanceof Map<?, ?> map) {
            StringBuilder s = new StringBuilder("{");
            map.forEach((k, x) -> s.append(s.length() > 1 ? "," : "").append(json(k)).append(':').append(json(x)));
            return s.append('}').toString();
        } else if (v instanceof String str) {
            return '"' + str.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        } else if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d);
        }
        return String.valueOf(v);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Options

    record Options(URI url, String label, Path out, int clients, long durationSeconds, long intervalSeconds,
                   int pushPercent, int deletePercent, int repos, String prefix, int poolLayers, long poolMaxBytes,
                   long uniqueMaxBytes,
                   long seed, String audit, double rssTolerancePercent, long pid, Path gcLog, int clkTck) {
        static Options parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (String arg : args) {
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("arguments are --name=value (got " + arg + ")");
                }
                a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            Options o = new Options(URI.create(required(a, "url")), a.getOrDefault("label", "registry"),
                    Path.of(required(a, "out")), whole(a, "clients", 50), whole(a, "duration", 600),
                    whole(a, "interval", 10), whole(a, "push-percent", 40), whole(a, "delete-percent", 0),
                    whole(a, "repos", 25),
                    a.getOrDefault("prefix", "dev/soak"), whole(a, "pool-layers", 48),
                    whole(a, "pool-max-kib", 24 * 1024) * 1024L, whole(a, "unique-max-kib", 4096) * 1024L,
                    Long.parseLong(a.getOrDefault("seed", "1")), a.getOrDefault("audit", "full"),
                    Double.parseDouble(a.getOrDefault("rss-tolerance", "10")),
                    Long.parseLong(a.getOrDefault("pid", "0")),
                    a.containsKey("gc-log") ? Path.of(a.get("gc-log")) : null, whole(a, "clk-tck", 100));
            a.keySet().removeAll(List.of("url", "label", "out", "clients", "duration", "interval", "push-percent",
                    "delete-percent",
                    "repos", "prefix", "pool-layers", "pool-max-kib", "unique-max-kib", "seed", "audit",
                    "rss-tolerance", "pid", "gc-log", "clk-tck"));
            if (!a.isEmpty()) {
                throw new IllegalArgumentException("unknown options: " + a.keySet());
            }
            if (!List.of("full", "head", "off").contains(o.audit)) {
                throw new IllegalArgumentException("--audit is full, head or off");
            }
            if (o.clients < 1 || o.durationSeconds < 1 || o.intervalSeconds < 1 || o.repos < 1 || o.poolLayers < 1
                    || o.pushPercent < 0 || o.deletePercent < 0 || o.pushPercent + o.deletePercent > 100
                    || o.poolMaxBytes < 1024 || o.uniqueMaxBytes < 1024) {
                throw new IllegalArgumentException("clients, duration, interval, repos, pool-layers >= 1; push-percent "
                        + "+ delete-percent 0–100; pool-max-kib, unique-max-kib >= 1024");
            }
            return o;
        }

        private static String required(Map<String, String> a, String name) {
            String v = a.get(name);
            if (v == null) {
                throw new IllegalArgumentException("--" + name + "= is required");
            }
            return v;
        }

        private static int whole(Map<String, String> a, String name, int dflt) {
            return Integer.parseInt(a.getOrDefault(name, String.valueOf(dflt)));
        }
    }
}
