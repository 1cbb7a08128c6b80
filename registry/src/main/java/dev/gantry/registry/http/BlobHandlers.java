package dev.gantry.registry.http;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.RegistryMetrics;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.remote.PullThroughCache;
import dev.gantry.registry.service.BlobService;
import dev.gantry.registry.service.RepositoryResolver;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GET/HEAD of a blob (with a single byte range) and DELETE of a repository's reference to it. */
@Singleton
public class BlobHandlers {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    @Inject
    RepositoryResolver resolver;
    @Inject
    BlobService blobs;
    @Inject
    RegistryMetrics metrics;

    void get(RoutingContext rc) {
        RepositoryResolver.Target target = resolver.resolve(rc.pathParam("name"));
        Digest digest = UploadHandlers.digest(rc.pathParam("digest"));
        boolean head = rc.request().method() == HttpMethod.HEAD;
        BlobService.Located blob = head || rc.request().getHeader("Range") != null
                ? blobs.find(target.readable(), digest) : blobs.locate(target.readable(), digest);
        if (blob.fetch() != null) {
            streamWhileFetched(rc, digest, blob.fetch());
            return;
        }
        HttpServerResponse response = rc.response()
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader(Http.DIGEST_HEADER, digest.toString())
                .putHeader("ETag", "\"" + digest + "\"")
                .putHeader("Accept-Ranges", "bytes")
                .putHeader("Cache-Control", "max-age=31536000"); // content-addressed: never changes
        long offset = 0;
        long length = blob.size();
        String range = rc.request().getHeader("Range");
        if (range != null) {
            long[] r = parseRange(range, blob.size());
            if (r == null) {
                response.putHeader("Content-Range", "bytes */" + blob.size());
                throw OciError.BLOB_UNKNOWN.exception(416, "range \"" + range + "\" is not satisfiable for a blob of "
                        + blob.size() + " bytes");
            }
            offset = r[0];
            length = r[1] - r[0] + 1;
            response.setStatusCode(206).putHeader("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + blob.size());
        }
        if (rc.request().method() == HttpMethod.HEAD) {
            response.putHeader("Content-Length", String.valueOf(length)).end();
        } else {
            long sent = length;
            response.sendFile(blob.path().toString(), offset, length) // zero-copy where the platform allows
                    .onSuccess(v -> metrics.sent(sent));
        }
    }

    /**
     * Serves a blob that is still arriving from a Remote registry's upstream: reads the staging file as it grows
     * (the open file stays readable after it is renamed into place) and ends when the fetch is verified; if the fetch
     * fails, the connection is cut, so the client never takes a partial blob for a whole one.
     */
    private void streamWhileFetched(RoutingContext rc, Digest digest, PullThroughCache.Fetch fetch) {
        HttpServerResponse response = rc.response()
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader(Http.DIGEST_HEADER, digest.toString())
                .putHeader("ETag", "\"" + digest + "\"");
        if (fetch.expectedSize() >= 0) {
            response.putHeader("Content-Length", String.valueOf(fetch.expectedSize()));
        } else {
            response.setChunked(true);
        }
        long sent = 0;
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(fetch.staging(),
                java.nio.file.StandardOpenOption.READ)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 18);
            while (true) {
                long available = fetch.written() - sent;
                if (available > 0) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), available));
                    int n = file.read(buffer, sent);
                    buffer.flip();
                    byte[] chunk = new byte[n];
                    buffer.get(chunk);
                    awaitDrain(response);
                    response.write(io.vertx.core.buffer.Buffer.buffer(chunk));
                    sent += n;
                } else if (fetch.done().isDone()) {
                    if (fetch.done().isCompletedExceptionally() || fetch.done().join() != sent) {
                        response.reset();
                    } else {
                        response.end();
                        metrics.sent(sent);
                    }
                    return;
                } else {
                    fetch.awaitMore(sent);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // the fetch finished and moved its file before we opened it: serve the stored blob
            BlobService.Located stored = blobs.find(resolver.resolve(rc.pathParam("name")).readable(), digest);
            response.sendFile(stored.path().toString());
        } catch (java.io.IOException e) {
            response.reset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.reset();
        }
    }

    /** Blocks this worker thread while the connection's write queue is full (the client reads slowly). */
    private static void awaitDrain(HttpServerResponse response) throws InterruptedException, java.io.IOException {
        if (!response.writeQueueFull()) {
            return;
        }
        java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
        response.drainHandler(v -> drained.countDown());
        while (response.writeQueueFull() && !drained.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            if (response.closed()) {
                throw new java.io.IOException("client went away");
            }
        }
    }

    void delete(RoutingContext rc) {
        RepositoryResolver.Target target = resolver.resolve(rc.pathParam("name"));
        Digest digest = UploadHandlers.digest(rc.pathParam("digest"));
        blobs.delete(target.deletable(), digest);
        rc.response().setStatusCode(202).putHeader("Content-Length", "0").end();
    }

    /** A single range {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}; null when unsatisfiable. */
    static long[] parseRange(String header, long size) {
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty()) || size == 0) {
            return null;
        }
        long start;
        long end;
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            start = Math.max(0, size - suffix);
            end = size - 1;
        } else {
            start = Long.parseLong(m.group(1));
            end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
        }
        return start > end || start >= size ? null : new long[] {start, end};
    }
}
