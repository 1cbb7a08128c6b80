package dev.gantry.api.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the operator and the webhook reach the registry server with their own credential: HTTP Basic with a password
 * given directly or in a mounted Secret file (re-read each time, so a rotated Secret is picked up), over HTTPS that
 * trusts a given PEM CA.
 */
public final class RegistryAccess {
    private RegistryAccess() {
    }

    public static String basic(String username, Optional<String> password, Optional<Path> passwordFile) {
        String secret = passwordFile.map(RegistryAccess::read).or(() -> password).orElse("");
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + secret)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** An SSL context trusting exactly the certificates in a PEM file. */
    public static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the registry CA from " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the registry password from " + file, e);
        }
    }
}
