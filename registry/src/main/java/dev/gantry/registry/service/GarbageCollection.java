package dev.gantry.registry.service;

import dev.gantry.registry.registries.Registries;
import dev.gantry.registry.registries.RegistryDefinition;
import dev.gantry.registry.storage.GarbageCollector;
import dev.gantry.registry.storage.GarbageCollector.Report;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs garbage collection with the registries' current retention, one run at a time (a scheduled run and an
 * administrator's request never overlap), and keeps the last run's report.
 */
public final class GarbageCollection {
    private final GarbageCollector collector;
    private final Registries registries;
    private final UploadService uploads;
    private final Duration gracePeriod;
    private final Duration uploadLifetime;
    private final Consumer<Report> listener;
    private final ReentrantLock running = new ReentrantLock();
    private volatile Report lastRun;

    public GarbageCollection(GarbageCollector collector, Registries registries, UploadService uploads,
            Duration gracePeriod, Duration uploadLifetime, Consumer<Report> listener) {
        this.collector = collector;
        this.registries = registries;
        this.uploads = uploads;
        this.gracePeriod = gracePeriod;
        this.uploadLifetime = uploadLifetime;
        this.listener = listener;
    }

    /** One collection (or dry run); empty when another one is running. */
    public Optional<Report> run(boolean dryRun) {
        if (!running.tryLock()) {
            return Optional.empty();
        }
        try {
            Report report = collector.collect(new GarbageCollector.Policy(Instant.now(), gracePeriod, uploadLifetime,
                    retention()), dryRun);
            if (!dryRun) {
                uploads.forgetClosed();
                lastRun = report;
            }
            listener.accept(report);
            return Optional.of(report);
        } finally {
            running.unlock();
        }
    }

    /** Settles what a crash left in the trash (before serving). */
    public void recover() {
        running.lock();
        try {
            collector.recoverTrash();
        } finally {
            running.unlock();
        }
    }

    public boolean isRunning() {
        return running.isLocked();
    }

    public Optional<Report> lastRun() {
        return Optional.ofNullable(lastRun);
    }

    private Map<String, Duration> retention() {
        Map<String, Duration> retention = new LinkedHashMap<>();
        for (RegistryDefinition registry : registries.all()) {
            registry.untaggedRetentionPeriod().ifPresent(period -> retention.put(registry.name(), period));
        }
        return retention;
    }
}
