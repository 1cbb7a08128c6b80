package dev.gantry.registry;

import dev.gantry.registry.storage.MetadataStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gantry's own metrics beside Quarkus' per-route request metrics: bytes in and out, how long uploads and manifest
 * pushes take, and what the store holds.
 */
@Singleton
public class RegistryMetrics {
    private static final Duration STORED_BYTES_REFRESH = Duration.ofSeconds(30);

    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Timer uploadDuration;
    private final Timer manifestPutDuration;
    private final MetadataStore metadata;
    private final MeterRegistry meters;
    private final AtomicLong storedBytes = new AtomicLong();
    private volatile long storedBytesReadAt;

    public RegistryMetrics(MeterRegistry registry, MetadataStore metadata) {
        this.metadata = metadata;
        this.meters = registry;
        bytesIn = Counter.builder("gantry.registry.received").baseUnit("bytes")
                .description("Blob bytes received in uploads").register(registry);
        bytesOut = Counter.builder("gantry.registry.sent").baseUnit("bytes")
                .description("Blob bytes sent in downloads").register(registry);
        uploadDuration = Timer.builder("gantry.registry.upload.duration")
                .description("Time of each upload request (POST with digest, PATCH, PUT), body streaming included")
                .register(registry);
        manifestPutDuration = Timer.builder("gantry.registry.manifest.put.duration")
                .description("Time to validate and store a pushed manifest").register(registry);
        Gauge.builder("gantry.registry.stored", this, RegistryMetrics::storedBytes).baseUnit("bytes")
                .description("Bytes of all stored blobs (each stored once)").register(registry);
    }

    /** A garbage collection's results (dry runs only count as runs). */
    public void collected(dev.gantry.registry.storage.GarbageCollector.Report report) {
        String kind = report.dryRun() ? "dry-run" : "collect";
        meters.counter("gantry.gc.runs", "kind", kind).increment();
        meters.timer("gantry.gc.duration", "kind", kind).record(Duration.ofMillis(report.durationMillis()));
        if (!report.dryRun()) {
            meters.counter("gantry.gc.freed.bytes").increment(report.bytesFreed());
            meters.counter("gantry.gc.removed", "what", "manifests").increment(report.manifestsRemoved());
            meters.counter("gantry.gc.removed", "what", "blobs").increment(report.blobsRemoved());
            meters.counter("gantry.gc.removed", "what", "uploads").increment(report.uploadsExpired());
            meters.counter("gantry.gc.removed", "what", "stray-files").increment(report.strayFilesRemoved());
            storedBytesReadAt = 0; // the stored-bytes gauge is stale now
        }
    }

    public void received(long bytes) {
        bytesIn.increment(bytes);
    }

    public void sent(long bytes) {
        bytesOut.increment(bytes);
    }

    public void uploadTook(long nanos) {
        uploadDuration.record(Duration.ofNanos(nanos));
    }

    public void manifestPutTook(long nanos) {
        manifestPutDuration.record(Duration.ofNanos(nanos));
    }

    /** Read from the database at most every 30 s: a scrape must not sum the store each time. */
    private double storedBytes() {
        long now = System.nanoTime();
        if (now - storedBytesReadAt > STORED_BYTES_REFRESH.toNanos() || storedBytesReadAt == 0) {
            storedBytesReadAt = now;
            storedBytes.set(metadata.storedBytes());
        }
        return storedBytes.get();
    }
}
