package dev.gantry.registry.http;

import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.oci.OciException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;

/** What every handler shares: blocking work off the event loop, and errors in the spec's shape. */
final class Http {
    private static final Logger LOG = Logger.getLogger(Http.class);
    static final String DIGEST_HEADER = "Docker-Content-Digest";
    static final String UPLOAD_UUID_HEADER = "Docker-Upload-UUID";
    static final String REQUEST_ID = "gantry.requestId";

    private Http() {
    }

    /** Runs database and file work on a worker thread (unordered: requests do not wait for each other). */
    static <T> Future<T> blocking(RoutingContext rc, Callable<T> work) {
        return rc.vertx().executeBlocking(work, false);
    }

    /** The spec's error body: {@code {"errors":[{"code","message","detail"}]}}. */
    static void sendError(RoutingContext rc, Throwable failure) {
        OciException error;
        if (failure instanceof HttpClosedException || rc.response().closed()) {
            // not the server's fault, and nobody to answer: whatever failed, failed because the connection went
            LOG.debugf(failure, "request %s: the client went away", (Object) rc.get(REQUEST_ID));
            return;
        }
        if (failure instanceof OciException oci) {
            error = oci;
        } else {
            String id = rc.get(REQUEST_ID);
            LOG.errorf(failure, "request %s %s %s failed", id, rc.request().method(), rc.request().path());
            error = OciError.UNKNOWN.exception("internal error; request id " + id);
        }
        HttpServerResponse response = rc.response();
        if (response.headWritten()) {
            response.reset(); // too late for a clean answer: cut the connection rather than send a corrupt body
            return;
        }
        JsonObject body = new JsonObject().put("errors", new JsonArray().add(new JsonObject()
                .put("code", error.error().name())
                .put("message", error.error().message())
                .put("detail", error.detail())));
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        boolean close = error.status() == 413 || error.status() == 416 || bodyUnread(rc);
        if (close) {
            response.putHeader("Connection", "close"); // the rest of the body would only be discarded
        }
        if (error.error() == OciError.TOOMANYREQUESTS && !response.headers().contains("Retry-After")) {
            response.putHeader("Retry-After", "1");
        }
        Future<Void> sent = rc.request().method() == HttpMethod.HEAD
                ? response.putHeader("Content-Length", String.valueOf(body.toBuffer().length())).end()
                : response.end(body.toBuffer());
        if (close) {
            // a client cut off as too slow is not sending: no point waiting for the rest of its body
            sent.onComplete(v -> LingeringClose.after(rc, error.status() != 408));
        }
    }

    /** A request refused before (or while) its body arrived: only closing the connection ends that body. */
    private static boolean bodyUnread(RoutingContext rc) {
        if (rc.request().isEnded()) {
            return false;
        }
        String length = rc.request().getHeader("Content-Length");
        return rc.request().getHeader("Transfer-Encoding") != null || (length != null && !length.equals("0"));
    }

    static void json(RoutingContext rc, int status, String contentType, JsonObject body) {
        rc.response().setStatusCode(status).putHeader("Content-Type", contentType).end(body.toBuffer());
    }
}
