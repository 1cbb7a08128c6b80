package dev.gantry.registry.http;

import dev.gantry.api.reference.Digest;
import dev.gantry.api.reference.InvalidReferenceException;
import dev.gantry.registry.RegistryMetrics;
import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.oci.OciException;
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
import java.util.List;
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
    @Inject
    UploadGate gate;
    @Inject
    GantryConfig config;

    /**
     * An upload session taken for one request: its running hash is held until the request ends. {@code opened}: this
     * request (a monolithic POST) opened it, so the client never learned its id and a failure removes it.
     */
    private record Session(String id, RepositoryName repo, long size, UploadHash hash, boolean opened) {
    }

    void start(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        req.pause();
        String name = rc.pathParam("name");
        String mount = req.getParam("mount");
        String from = req.getParam("from");
        String digestParam = req.getParam("digest");
        if (digestParam != null && !gate.enter(rc)) {
            return;
        }
        // Without pull on the source, a mount quietly becomes an upload: nothing about the source is revealed.
        boolean mayMount = !Boolean.FALSE.equals(rc.get(dev.gantry.registry.auth.AccessControl.MOUNT_ALLOWED));
        Http.blocking(rc, () -> {
            RepositoryResolver.Target target = resolver.resolve(name);
            RepositoryName repo = target.writable();
            if (mount != null && from != null && mayMount) {
                MountSource source = mountSource(mount, from);
                if (source != null && blobService.mount(source.repositories(), repo, source.digest())) {
                    return new Mounted(source.digest());
                }
            }
            Digest expected = digestParam == null ? null : digest(digestParam);
            String id = uploads.start(repo);
            return new Started(new Session(id, repo, 0, expected == null ? null : uploads.acquire(id), true),
                    expected);
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

    private record MountSource(List<RepositoryName> repositories, Digest digest) {
    }

    /**
     * What {@code ?mount=&from=} name, or null when they name nothing this registry could mount (a malformed digest or
     * repository, an unknown registry): the spec then has the POST start an ordinary upload, as Distribution does,
     * rather than fail a push that would succeed without the mount.
     */
    private MountSource mountSource(String mount, String from) {
        try {
            return new MountSource(resolver.resolve(from).readable(), digest(mount));
        } catch (OciException e) {
            return null;
        }
    }

    private record Started(Session session, Digest expected) {
    }

    void patch(RoutingContext rc) {
        rc.request().pause();
        if (!gate.enter(rc)) {
            return;
        }
        String name = rc.pathParam("name");
        String contentRange = rc.request().getHeader("Content-Range");
        session(rc).onSuccess(session -> appendAndComplete(rc, name, session, contentRange, null))
                .onFailure(e -> failUnread(rc, e));
    }

    void finish(RoutingContext rc) {
        rc.request().pause();
        if (!gate.enter(rc)) {
            return;
        }
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
            return new Session(id, repo, size, uploads.acquire(id), false);
        });
    }

    /**
     * Streams the request body onto the session's staging file (checking a Content-Range against what is there), then
     * either answers 202 with the new range or, given the expected digest, verifies and stores the blob. A body that
     * would pass the blob size limit is refused (413) and leaves the session as it was; one that arrives too slowly
     * is cut off (408), keeping what arrived, as a dropped connection would.
     */
    private void appendAndComplete(RoutingContext rc, String name, Session session, String contentRange,
            Digest expected) {
        HttpServerRequest req = rc.request();
        UploadHash hash = session.hash();
        long started = System.nanoTime();
        long blobSize = config.limits().blobSize().asLongValue();
        long room = blobSize - session.size();
        long declared = -1;
        if (contentRange != null) {
            long[] range = parseRange(contentRange);
            if (range == null) {
                hash.release();
                rc.fail(OciError.BLOB_UPLOAD_INVALID.exception(416, "Content-Range \"" + contentRange
                        + "\" is not <start>-<end>"));
                return;
            }
            long start = range[0];
            long end = range[1];
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
            declared = end - start + 1;
        }
        String length = req.getHeader("Content-Length");
        try {
            declared = length == null ? declared : Math.max(declared, Long.parseLong(length.trim()));
        } catch (NumberFormatException e) {
            fail(rc, session, OciError.SIZE_INVALID.exception("Content-Length \"" + length + "\" is not a number"));
            return;
        }
        if (declared > room) {
            fail(rc, session, tooLarge(session, blobSize));
            return;
        }
        LimitedBody body = new LimitedBody(rc, config.limits(), room, () -> tooLarge(session, blobSize),
                OciError.BLOB_UPLOAD_INVALID);
        rc.vertx().fileSystem().open(blobStore.uploadPath(session.id()).toString(), new OpenOptions().setWrite(true)
                        .setCreate(false).setTruncateExisting(false))
                .compose(file -> {
                    file.setWritePos(session.size());
                    return body.pipeTo(new HashingWriteStream(file, hash));
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
                    if (body.refusal() != null && !session.opened()) {
                        refused(rc, name, session, body.refusal());
                    } else if (result.failed()) {
                        fail(rc, session, body.refusal() != null ? body.refusal() : result.cause());
                    } else if (expected == null) {
                        hash.release();
                        accepted(rc, 202, name, session.id(), result.result());
                    } else {
                        hash.release();
                        created(rc, name, expected);
                    }
                });
    }

    /** Fails the request once the session is settled: one this request opened is removed. */
    private void fail(RoutingContext rc, Session session, Throwable error) {
        if (!session.opened()) {
            session.hash().release();
            rc.fail(error);
            return;
        }
        Http.blocking(rc, () -> {
            uploads.cancel(session.id());
            return null;
        }).onComplete(cancelled -> {
            session.hash().release();
            rc.fail(error);
        });
    }

    /**
     * Answers a body refused while it streamed, holding the session until its file is settled: too large, the chunk's
     * bytes are cut off again; too slow, what arrived stays and the answer says where to resume.
     */
    private void refused(RoutingContext rc, String name, Session session, OciException refusal) {
        Http.blocking(rc, () -> {
            if (refusal.status() == 413) {
                blobStore.truncateUpload(session.id(), session.size());
            }
            return blobStore.uploadSize(session.id());
        }).onComplete(size -> {
            session.hash().release();
            if (size.succeeded()) {
                rc.response().putHeader("Location", uploadLocation(name, session.id()))
                        .putHeader("Range", range(size.result()));
            }
            rc.fail(size.succeeded() ? refusal : size.cause());
        });
    }

    private static OciException tooLarge(Session session, long blobSize) {
        return OciError.BLOB_UPLOAD_INVALID.exception(413, "the upload would grow past " + blobSize + " bytes, the "
                + "largest blob this registry takes (gantry.limits.blob-size)" + (session.opened() ? ""
                : "; upload " + session.id() + " keeps its " + session.size() + " bytes"));
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

    /** {@code <start>-<end>} (optionally after "bytes" and before "/<size>"), or null; never past a long. */
    private static long[] parseRange(String header) {
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        try {
            return m.matches() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : null;
        } catch (NumberFormatException e) {
            return null; // 19 digits can still pass Long.MAX_VALUE
        }
    }

    static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (InvalidReferenceException e) {
            throw OciError.DIGEST_INVALID.exception(e.getMessage());
        }
    }
}
