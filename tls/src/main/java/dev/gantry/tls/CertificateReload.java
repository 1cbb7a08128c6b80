package dev.gantry.tls;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Serves a renewed certificate without a restart, and only a renewed one. Every {@code gantry.tls.reload-period}
 * ({@code off}: never) the PEM files of the TLS configuration the HTTP server uses
 * ({@code quarkus.http.tls-configuration-name}) are fingerprinted; only when the fingerprint changed is the
 * configuration reloaded and handed to the server, for new connections.
 * <p>
 * Why not Quarkus' own {@code quarkus.tls.<name>.reload-period}: it hands the certificate to the server at every
 * period, changed or not, and Vert.x 4.5 ({@code TCPServerBase.updateSSLOptions}) swaps in the new SSL context while
 * it is still being built: a connection accepted in that moment meets a NullPointerException and is closed. A client's
 * push or an admission call cut off once a period; now that moment comes only with a renewal.
 */
@Singleton
public class CertificateReload {
    private static final Logger LOG = Logger.getLogger(CertificateReload.class);
    @Inject
    TlsConfigurationRegistry registry;
    @Inject
    Event<CertificateUpdatedEvent> updated;
    @Inject
    Config config;
    @Inject
    TlsReloadConfig settings;
    @Inject
    Vertx vertx;

    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile String name;
    private volatile List<Path> files = List.of();
    private volatile String fingerprint;
    private long timer = -1;

    void start(@Observes StartupEvent event) {
        Optional<String> configured = config.getOptionalValue("quarkus.http.tls-configuration-name", String.class);
        String period = settings.reloadPeriod().trim();
        if (configured.isEmpty() || registry.get(configured.get()).isEmpty() || period.equals("off")) {
            return;
        }
        name = configured.get();
        files = pemFiles(config, name);
        if (files.isEmpty()) {
            return;
        }
        fingerprint = fingerprint(files).orElse(null);
        Duration every = DurationConverter.parseDuration(period);
        timer = vertx.setPeriodic(every.toMillis(), id -> {
            if (checking.compareAndSet(false, true)) { // a slow disk does not pile checks up
                vertx.executeBlocking(() -> {
                    check();
                    return null;
                }, false).onComplete(done -> checking.set(false));
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** The PEM certificate and key files of a TLS configuration ({@code key-store.pem.<index>.cert}, {@code .key}). */
    static List<Path> pemFiles(Config config, String name) {
        Pattern key = Pattern.compile(Pattern.quote("quarkus.tls." + name + ".key-store.pem.") + "[^.]+\\.(cert|key)");
        return StreamSupport.stream(config.getPropertyNames().spliterator(), false)
                .filter(p -> key.matcher(p).matches()).sorted()
                .map(p -> Path.of(config.getValue(p, String.class))).toList();
    }

    /** Reloads and hands over the configuration if its files changed (what the timer runs): true when it did. */
    public synchronized boolean check() {
        if (files.isEmpty()) {
            return false;
        }
        Optional<String> now = fingerprint(files);
        if (now.isEmpty() || now.get().equals(fingerprint)) {
            return false; // unchanged, or a file unreadable for now: the last good certificate stays served
        }
        TlsConfiguration tls = registry.get(name).orElseThrow();
        if (!tls.reload()) {
            LOG.warnf("TLS configuration %s: %s changed but could not be loaded; the previous certificate is still "
                    + "served, and the files are checked again in the next period", name, files);
            return false;
        }
        Optional<String> mismatch = KeyPairs.mismatch(tls.getKeyStoreOptions(), vertx);
        if (mismatch.isPresent()) {
            // one file replaced before the other (a copy, not a Secret volume's atomic swap): wait for the pair
            LOG.warnf("TLS configuration %s: %s changed but %s; the previous certificate is still served, and the "
                    + "files are checked again in the next period", name, files, mismatch.get());
            return false;
        }
        updated.fire(new CertificateUpdatedEvent(name, tls)); // Quarkus hands it to the HTTP server(s) using it
        fingerprint = now.get();
        LOG.infof("TLS configuration %s: %s changed; new connections get the new certificate", name, files);
        return true;
    }

    /** SHA-256 over the files' contents in order; empty when one cannot be read. */
    static Optional<String> fingerprint(List<Path> files) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                byte[] content = Files.readAllBytes(file);
                sha256.update(Long.toString(content.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sha256.update((byte) 0); // lengths first: moving bytes from one file to the next changes the sum
                sha256.update(content);
            }
            return Optional.of(HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException e) {
            LOG.debugf(e, "TLS files %s are not readable now", files);
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
