package dev.gantry.registry.storage;

/** The store itself failed (disk, database): a server error, never the client's fault. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
