package dev.gantry.registry.http;

import dev.gantry.api.reference.Digest;
import dev.gantry.registry.RegistryMetrics;
import dev.gantry.registry.oci.OciError;
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
        BlobService.Located blob = blobs.find(target.readable(), digest);
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
