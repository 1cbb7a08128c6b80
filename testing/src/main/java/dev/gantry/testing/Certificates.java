package dev.gantry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A CA and a server certificate it signed for the given names, made with {@code openssl} (as an operator would). */
public final class Certificates {
    public record Authority(Path dir, Path caCert, Path serverCert, Path serverKey) {
        public X509Certificate serverCertificate() {
            return read(serverCert);
        }

        /** An SSL context that trusts this CA only. */
        public SSLContext trustingOnlyThisCa() {
            return trustingBoth(this);
        }

        /** An SSL context that trusts this CA and another (as during a CA rotation). */
        public SSLContext trustingBoth(Authority other) {
            try {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                trust.setCertificateEntry("ca", read(caCert));
                trust.setCertificateEntry("other", read(other.caCert()));
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return context;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Certificates() {
    }

    /** A new CA {@code name} and a server certificate for {@code names} (DNS names; IP addresses as IP:...). */
    public static Authority authority(Path parent, String name, List<String> names) {
        try {
            Path dir = Files.createDirectories(parent.resolve(name));
            Path caKey = dir.resolve("ca.key");
            Path caCert = dir.resolve("ca.crt");
            Path serverKey = dir.resolve("server.key");
            Path csr = dir.resolve("server.csr");
            Path serverCert = dir.resolve("server.crt");
            Path extensions = dir.resolve("server.ext");
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", caKey.toString(), "-out", caCert.toString(), "-days", "2", "-subj", "/CN=" + name
                            + " CA", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    serverKey.toString(), "-out", csr.toString(), "-subj", "/CN=" + name + " server");
            String sans = names.stream().map(n -> n.startsWith("IP:") ? n : "DNS:" + n)
                    .collect(Collectors.joining(","));
            Files.writeString(extensions, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    + "extendedKeyUsage=serverAuth\nsubjectAltName=" + sans + "\n");
            run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
                    caKey.toString(), "-CAcreateserial", "-days", "2", "-out", serverCert.toString(), "-extfile",
                    extensions.toString());
            return new Authority(dir, caCert, serverCert, serverKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces {@code cert} and {@code key} with another authority's, each by an atomic rename (as a Secret volume). */
    public static void install(Authority from, Path cert, Path key) {
        try {
            Path tmpKey = key.resolveSibling(key.getFileName() + ".new");
            Path tmpCert = cert.resolveSibling(cert.getFileName() + ".new");
            Files.copy(from.serverKey(), tmpKey, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(from.serverCert(), tmpCert, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmpKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static X509Certificate read(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a PEM certificate: " + pem, e);
        }
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
