package dev.gantry.registry.tls;

import dev.gantry.registry.clients.CommandRunner;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificate authorities and server certificates for 127.0.0.1 and localhost, made with {@code openssl} at test time
 * under {@code target/tls-test/}: nothing secret is committed, and every run has its own keys.
 */
public final class TestCertificates {

    /** A CA that signed one server certificate; {@code serverCert} and {@code serverKey} are PEM files. */
    public record Authority(Path dir, Path caCert, Path serverCert, Path serverKey, String serverCommonName) {

        /** The CA certificate as Java reads it. */
        public X509Certificate caCertificate() {
            return read(caCert);
        }

        public X509Certificate serverCertificate() {
            return read(serverCert);
        }

        /** A TLS context that trusts this CA and nothing else (not the JDK's default CAs). */
        public SSLContext trustingOnlyThisCa() {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", caCertificate());
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A directory holding only {@code ca.crt}, as containers/image's {@code --cert-dir} wants it. */
        public Path certDir() {
            try {
                Path certDir = Files.createDirectories(dir.resolve("cert-dir"));
                Files.copy(caCert, certDir.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
                return certDir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestCertificates() {
    }

    /**
     * A new self-signed CA named {@code name} and a server certificate it signed (CN {@code name + " server"}, SAN
     * IP:127.0.0.1 and DNS:localhost, server-auth only), in a new directory under {@code parent}.
     */
    public static Authority authority(Path parent, String name) {
        try {
            Path dir = Files.createDirectories(parent.resolve(name));
            Path caKey = dir.resolve("ca.key");
            Path caCert = dir.resolve("ca.crt");
            Path serverKey = dir.resolve("server.key");
            Path csr = dir.resolve("server.csr");
            Path serverCert = dir.resolve("server.crt");
            Path extensions = dir.resolve("server.ext");
            String openssl = "openssl";
            CommandRunner.ok(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(), "-days", "2",
                    "-subj", "/CN=" + name + " CA",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            CommandRunner.ok(openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", serverKey.toString(), "-out", csr.toString(), "-subj", "/CN=" + name + " server");
            Files.writeString(extensions, """
                    basicConstraints=critical,CA:FALSE
                    keyUsage=critical,digitalSignature
                    extendedKeyUsage=serverAuth
                    subjectAltName=IP:127.0.0.1,DNS:localhost
                    """);
            CommandRunner.ok(openssl, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(),
                    "-CAkey", caKey.toString(), "-CAcreateserial", "-days", "2", "-out", serverCert.toString(),
                    "-extfile", extensions.toString());
            return new Authority(dir, caCert, serverCert, serverKey, name + " server");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces the contents of {@code cert} and {@code key} with those of another authority's server certificate and
     * key, each by an atomic rename (as a Kubernetes Secret volume or cert-manager would swap them).
     */
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
}
