package dev.gantry.registry.http;

import dev.gantry.registry.service.UploadHash;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.streams.WriteStream;

/** Writes an upload's bytes to its staging file and feeds them to its digest in the same pass. */
final class HashingWriteStream implements WriteStream<Buffer> {
    private final AsyncFile file;
    private final UploadHash hash;

    HashingWriteStream(AsyncFile file, UploadHash hash) {
        this.file = file;
        this.hash = hash;
    }

    @Override
    public Future<Void> write(Buffer data) {
        hash.update(data.getByteBuf().nioBuffer());
        return file.write(data);
    }

    @Override
    public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
        write(data).onComplete(handler);
    }

    @Override
    public void end(Handler<AsyncResult<Void>> handler) {
        end().onComplete(handler);
    }

    @Override
    public Future<Void> end() {
        // flush() then close(): close waits for pending writes; the fsync happens once, when the upload completes.
        return file.close();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        file.exceptionHandler(handler);
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        file.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return file.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        file.drainHandler(handler);
        return this;
    }
}
