package dev.gantry.registry.service;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;

/** The SHA-256 state of one upload session and how many bytes it has seen. */
public final class UploadHash {
    private final AtomicBoolean busy = new AtomicBoolean();
    private MessageDigest sha256 = newDigest();
    private long bytes;

    boolean tryAcquire() {
        return busy.compareAndSet(false, true);
    }

    /** Whether a request holds it now. */
    boolean held() {
        return busy.get();
    }

    public void release() {
        busy.set(false);
    }

    void reset() {
        sha256 = newDigest();
        bytes = 0;
    }

    public void update(ByteBuffer data) {
        bytes += data.remaining();
        sha256.update(data);
    }

    void update(byte[] data, int offset, int length) {
        bytes += length;
        sha256.update(data, offset, length);
    }

    public long bytes() {
        return bytes;
    }

    /** The digest so far, leaving the running state untouched so more chunks may follow. */
    String sha256Hex() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
