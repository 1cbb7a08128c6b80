package dev.gantry.tls;

import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Whether each private key a TLS configuration serves belongs to its certificate: proved by a signature the
 * certificate's public key verifies, as the handshake would.
 */
final class KeyPairs {
    private static final String[] KEY_TYPES = {"RSA", "EC", "EdDSA", "Ed25519", "Ed448"};

    private KeyPairs() {
    }

    /** What is wrong with the key entries, or empty when every key matches its certificate (or there is none). */
    static Optional<String> mismatch(KeyCertOptions options, Vertx vertx) {
        if (options == null) {
            return Optional.empty();
        }
        try {
            for (KeyManager manager : options.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (!(manager instanceof X509KeyManager keys)) {
                    continue;
                }
                Set<String> aliases = new LinkedHashSet<>();
                for (String type : KEY_TYPES) {
                    String[] found = keys.getServerAliases(type, null);
                    if (found != null) {
                        aliases.addAll(Set.of(found));
                    }
                }
                for (String alias : aliases) {
                    PrivateKey key = keys.getPrivateKey(alias);
                    X509Certificate[] chain = keys.getCertificateChain(alias);
                    if (key != null && chain != null && chain.length > 0 && !signs(key, chain[0].getPublicKey())) {
                        return Optional.of("the key does not belong to the certificate "
                                + chain[0].getSubjectX500Principal().getName());
                    }
                }
            }
            return Optional.empty();
        } catch (Exception e) { // getKeyManagerFactory declares Exception
            return Optional.of("the key and certificate cannot be read together (" + e.getMessage() + ")");
        }
    }

    private static boolean signs(PrivateKey key, PublicKey certified) throws GeneralSecurityException {
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // a key type this check does not know: the handshake will tell
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certified);
        verifier.update(challenge);
        return verifier.verify(signature);
    }
}
