package dev.gantry.registry.http;

import dev.gantry.api.reference.Digest;
import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.registry.RegistryMetrics;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.service.BlobService;
import dev.gantry.registry.service.RepositoryResolver;
import dev.gantry.registry.service.UploadHash;
import dev.gantry.registry.service.UploadService;
import dev.gantry.registry.storage.BlobStore;
import dev.gantry.registry.storage.RepositoryName;
import io.vertx.core.Future;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blob uploads: POST starts a session (or mounts, or takes the whole blob with {@code ?digest=}), PATCH appends a
 * chunk, PUT closes it with the digest, GET reports progress, DELETE cancels. Bodies stream to disk and through the
 * digest on the event loop, never buffered whole.
 */
@Singleton
public class UploadHandlers {
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d{1,19})-(\\d{1,19})(?:/\\S+)?");

    @Inject
    RepositoryResolver resolver;
    @Inject
    UploadService uploads;
    @Inject
    BlobService blobService;
    @Inject
    BlobStore blobStore;
    @Inject
    RegistryMetrics metrics;

    /** An upload session taken for one request: its running hash is held until the request ends. */
    private record Session(String id, RepositoryName repo, long size, UploadHash hash) {
    }

    void start(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        req.pause();
        String name = rc.pathParam("name");
        String mount = req.getParam("mount");
        String from = req.getParam("from");
        String digestParam = req.getParam("digest");
        // Without pull on the source, a mount quietly becomes an upload: nothing about the source is revealed.
        boolean mayMount = !Boolean.FALSE.equals(rc.get(dev.gantry.registry.auth.AccessControl.MOUNT_ALLOWED));
        Http.blocking(rc, () -> {
            RepositoryResolver.Target target = resolver.resolve(name);
            RepositoryName repo = target.writable();
            if (mount != null && from != null && mayMount) {
                Digest digest = digest(mount);
                RepositoryResolver.Target source = resolver.resolve(from);
                if (blobService.mount(source.readable(), repo, digest)) {
                    return new Mounted(digest);
                }
            }
            Digest expected = digestParam == null ? null : digest(digestParam);
            String id = uploads.start(repo);
            return new Started(new Session(id, repo, 0, expected == null ? null : uploads.acquire(id)), expected);
        }).onSuccess(result -> {
            if (result instanceof Mounted mounted) {
                req.resume();
                created(rc, name, mounted.digest());
            } else if (result instanceof Started started && started.expected() != null) {
                appendAndComplete(rc, name, started.session(), null, started.expected());
            } else if (result instanceof Started started) {
                req.resume();
                accepted(rc, 202, name, started.session().id(), 0);
            }
        }).onFailure(e -> failUnread(rc, e));
    }

    private record Mounted(Digest digest) {
    }

    private record Started(Session session, Digest expected) {
    }

    void patch(RoutingContext rc) {
        rc.request().pause();
        String name = rc.pathParam("name");
        String contentRange = rc.request().getHeader("Content-Range");
        session(rc).onSuccess(session -> appendAndComplete(rc, name, session, contentRange, null))
                .onFailure(e -> failUnread(rc, e));
    }

    void finish(RoutingContext rc) {
        rc.request().pause();
        String name = rc.pathParam("name");
        String digestParam = rc.request().getParam("digest");
        if (digestParam == null) {
            failUnread(rc, OciError.DIGEST_INVALID.exception("closing an upload needs the ?digest= query parameter"));
            return;
        }
        Digest expected;
        try {
            expected = digest(digestParam);
        } catch (RuntimeException e) {
            failUnread(rc, e);
            return;
        }
        String contentRange = rc.request().getHeader("Content-Range");
        session(rc).onSuccess(session -> appendAndComplete(rc, name, session, contentRange, expected))
                .onFailure(e -> failUnread(rc, e));
    }

    /**
     * Refuses a request whose body was paused and never read. The body is drained (and dropped) as the answer goes
     * out: a paused body would stall the connection, and the client still sending it would hang.
     */
    private static void failUnread(RoutingContext rc, Throwable failure) {
        rc.request().resume();
        rc.fail(failure);
    }

    void status(RoutingContext rc) {
        String name = rc.pathParam("name");
        String id = rc.pathParam("id");
        RepositoryName repo = resolver.resolve(name).writable();
        long size = uploads.size(id, repo);
        accepted(rc, 204, name, id, size);
    }

    void cancel(RoutingContext rc) {
        String id = rc.pathParam("id");
        RepositoryName repo = resolver.resolve(rc.pathParam("name")).writable();
        uploads.size(id, repo);
        uploads.cancel(id);
        rc.response().setStatusCode(204).end();
    }

    private Future<Session> session(RoutingContext rc) {
        String name = rc.pathParam("name");
        String id = rc.pathParam("id");
        return Http.blocking(rc, () -> {
            RepositoryName repo = resolver.resolve(name).writable();
            long size = uploads.size(id, repo);
            return new Session(id, repo, size, uploads.acquire(id));
        });
    }

    /**
     * Streams the request body onto the session's staging file (checking a Content-Range against what is there), then
     * either answers 202 with the new range or, given the expected digest, verifies and stores the blob.
     */
    private void appendAndComplete(RoutingContext rc, String name, Session session, String contentRange,
            Digest expected) {
        HttpServerRequest req = rc.request();
        UploadHash hash = session.hash();
        long started = System.nanoTime();
        if (contentRange != null) {
            Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
            long start = -1;
            long end = -1;
            try {
                if (m.matches()) {
                    start = Long.parseLong(m.group(1));
                    end = Long.parseLong(m.group(2));
                }
            } catch (NumberFormatException e) {
                start = -1; // 19 digits that do not fit a long: no offset this upload can reach
            }
            if (start < 0) {
                hash.release();
                rc.fail(OciError.BLOB_UPLOAD_INVALID.exception(416, "Content-Range \"" + contentRange
                        + "\" is not <start>-<end>"));
                return;
            }
            if (start != session.size() || end < start) {
                hash.release();
                rc.response().putHeader("Range", range(session.size()))
                        .putHeader("Location", uploadLocation(name, session.id()));
                rc.fail(OciError.BLOB_UPLOAD_INVALID.exception(416, "chunk " + start + "-" + end
                        + " does not continue the upload, which holds " + session.size() + " bytes"));
                return;
            }
            String length = req.getHeader("Content-Length");
            if (length != null && !length.equals(String.valueOf(end - start + 1))) {
                hash.release();
                rc.fail(OciError.SIZE_INVALID.exception(416, "Content-Length " + length + " does not match "
                        + "Content-Range " + contentRange));
                return;
            }
        }
        rc.vertx().fileSystem().open(blobStore.uploadPath(session.id()).toString(), new OpenOptions().setWrite(true)
                        .setCreate(false).setTruncateExisting(false))
                .compose(file -> {
                    file.setWritePos(session.size());
                    return req.pipeTo(new HashingWriteStream(file, hash));
                })
                .compose(v -> Http.blocking(rc, () -> {
                    if (expected == null) {
                        return blobStore.uploadSize(session.id());
                    }
                    return uploads.complete(session.id(), session.repo(), expected, hash);
                }))
                .onComplete(result -> {
                    metrics.received(hash.bytes() - session.size());
                    metrics.uploadTook(System.nanoTime() - started);
                    hash.release();
                    if (result.failed()) {
                        rc.fail(result.cause());
                    } else if (expected == null) {
                        accepted(rc, 202, name, session.id(), result.result());
                    } else {
                        created(rc, name, expected);
                    }
                });
    }

    private static void accepted(RoutingContext rc, int status, String name, String id, long size) {
        rc.response().setStatusCode(status)
                .putHeader("Location", uploadLocation(name, id))
                .putHeader("Range", range(size))
                .putHeader(Http.UPLOAD_UUID_HEADER, id)
                .putHeader("Content-Length", "0")
                .end();
    }

    private static void created(RoutingContext rc, String name, Digest digest) {
        rc.response().setStatusCode(201)
                .putHeader("Location", "/v2/" + name + "/blobs/" + digest)
                .putHeader(Http.DIGEST_HEADER, digest.toString())
                .putHeader("Content-Length", "0")
                .end();
    }

    private static String uploadLocation(String name, String id) {
        return "/v2/" + name + "/blobs/uploads/" + id;
    }

    /** Distribution's convention, which clients expect: "0-0" for an empty upload, else "0-<last byte>". */
    private static String range(long size) {
        return "0-" + Math.max(0, size - 1);
    }

    static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (InvalidReferenceException e) {
            throw OciError.DIGEST_INVALID.exception(e.getMessage());
        }
    }
}
