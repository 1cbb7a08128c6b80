package dev.gantry.registry.http;

import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.oci.OciError;
import dev.gantry.registry.oci.OciException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.net.SocketException;
import java.util.function.Supplier;

/**
 * A request body (blob chunk or manifest) read under the two limits the framework cannot apply to a streamed body: a
 * byte ceiling, checked as bytes arrive, and a minimum rate, so a client trickling bytes is cut off. The rate is
 * judged only over windows in which the server was ready to read throughout: never while the handler works or the
 * disk applies back-pressure. Either refusal pauses the request and fails the stream with an {@link OciException}
 * (413 or 408) that the handler can tell apart by {@link #refusal()}. A body whose connection closed before it was read
 * (the handler was still looking things up) fails the stream with an {@link HttpClosedException}: Vert.x has dropped
 * what arrived, and the request may already count as read. Event-loop only, like the request itself.
 */
final class LimitedBody implements ReadStream<Buffer> {
    private final HttpServerRequest request;
    private final Vertx vertx;
    private final long maxBytes;
    private final Supplier<OciException> tooLarge;
    private final OciError code;
    private final GantryConfig.Limits limits;
    private final long timer;
    private Handler<Throwable> exceptionHandler;
    private long received;
    private long receivedInWindow;
    /** The handlers pause a request before they look anything up; reading starts with the first resume. */
    private boolean paused = true;
    private boolean pausedInWindow = true;
    private boolean finished;
    private boolean asked;
    private OciException refusal;

    /**
     * @param maxBytes the most bytes this body may carry
     * @param tooLarge the refusal once it carries more (a 413)
     * @param code     the error code of a too-slow body (answered 408)
     */
    LimitedBody(RoutingContext rc, GantryConfig.Limits limits, long maxBytes, Supplier<OciException> tooLarge,
            OciError code) {
        this.request = rc.request();
        this.vertx = rc.vertx();
        this.maxBytes = maxBytes;
        this.tooLarge = tooLarge;
        this.code = code;
        this.limits = limits;
        this.timer = vertx.setPeriodic(Math.max(1, limits.bodyTimeout().toMillis()), this::judgeRate);
    }

    /** The 413 or 408 this body was refused with, or null. */
    OciException refusal() {
        return refusal;
    }

    /** Bytes received so far. */
    long received() {
        return received;
    }

    @Override
    public LimitedBody handler(Handler<Buffer> handler) {
        if (handler == null) {
            request.handler(null);
            return this;
        }
        if (clientGone()) {
            return this; // the request may count as read: Vert.x would refuse the handler
        }
        request.handler(chunk -> {
            if (finished) {
                return;
            }
            received += chunk.length();
            receivedInWindow += chunk.length();
            if (received > maxBytes) {
                refuse(tooLarge.get());
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public LimitedBody exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        request.exceptionHandler(handler == null ? null : e -> {
            finish();
            // the request's own socket: a reset is the client gone, as a close is (not a server error to log)
            handler.handle(e instanceof SocketException
                    ? new HttpClosedException("the client reset the connection: " + e.getMessage()) : e);
        });
        return this;
    }

    @Override
    public LimitedBody endHandler(Handler<Void> handler) {
        if (handler != null && clientGone()) {
            return this;
        }
        request.endHandler(handler == null ? null : v -> {
            finish();
            handler.handle(v);
        });
        return this;
    }

    @Override
    public LimitedBody pause() {
        paused = true;
        pausedInWindow = true;
        request.pause();
        return this;
    }

    @Override
    public LimitedBody resume() {
        if (clientGone()) {
            if (!finished) {
                finish();
                if (exceptionHandler != null) {
                    exceptionHandler.handle(new HttpClosedException("the client closed the connection"));
                }
            }
            return this;
        }
        askForBody();
        paused = false;
        request.resume();
        return this;
    }

    /**
     * A client that sent {@code Expect: 100-continue} waits for this before its body: it is sent only now, when the
     * body is wanted, so a request refused on its headers never sends one (and is not taken for a slow client).
     */
    private void askForBody() {
        if (!asked && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            request.response().writeContinue();
        }
        asked = true;
    }

    @Override
    public LimitedBody fetch(long amount) {
        askForBody();
        paused = false;
        request.fetch(amount);
        return this;
    }

    private void judgeRate(long id) {
        if (finished || request.response().ended() || request.response().closed()) {
            finish(); // answered or gone before the body was read to its end
            return;
        }
        if (!pausedInWindow && receivedInWindow < limits.bodyMinBytes()) {
            refuse(code.exception(408, "the request body delivered " + receivedInWindow + " bytes in "
                    + limits.bodyTimeout() + ", fewer than " + limits.bodyMinBytes() + " (gantry.limits.body-timeout, "
                    + "body-min-bytes); " + received + " bytes were received"));
            return;
        }
        receivedInWindow = 0;
        pausedInWindow = paused;
    }

    private void refuse(OciException e) {
        if (finished) {
            return;
        }
        finish();
        refusal = e;
        request.pause();
        if (exceptionHandler != null) {
            exceptionHandler.handle(e);
        }
    }

    /** The connection closed before the body was read to its end. */
    private boolean clientGone() {
        return request.response().closed();
    }

    private void finish() {
        finished = true;
        vertx.cancelTimer(timer);
    }
}
