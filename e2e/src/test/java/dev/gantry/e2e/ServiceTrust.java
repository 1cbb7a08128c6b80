package dev.gantry.e2e;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust as kube-apiserver applies it when it calls a webhook Service: the chain must lead to a CA of the
 * configuration's {@code caBundle}, and the certificate must name the Service's DNS name — although this test dials
 * 127.0.0.1, where no DNS resolves the Service name.
 */
final class ServiceTrust {
    private ServiceTrust() {
    }

    static SSLContext of(byte[] caBundlePem, String serviceName) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (var ca : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(caBundlePem))) {
                trusted.setCertificateEntry("ca-" + i++, ca);
            }
            if (i == 0) {
                throw new IllegalArgumentException("the caBundle holds no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(trusted);
            X509TrustManager pkix = (X509TrustManager) factory.getTrustManagers()[0];
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new NamedService(pkix, serviceName)}, null);
            return context;
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An extended trust manager, so JSSE leaves the host-name check to it: the chain is checked by PKIX against the
     * caBundle, the name against the Service's instead of the dialled address.
     */
    private static final class NamedService extends X509ExtendedTrustManager {
        private final X509TrustManager pkix;
        private final String serviceName;

        NamedService(X509TrustManager pkix, String serviceName) {
            this.pkix = pkix;
            this.serviceName = serviceName;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            List<String> names = dnsNames(chain[0]);
            if (!names.contains(serviceName)) {
                throw new CertificateException("the certificate names " + names + ", not " + serviceName);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    static List<String> dnsNames(X509Certificate certificate) throws CertificateException {
        var names = certificate.getSubjectAlternativeNames();
        return names == null ? List.of() : names.stream().filter(n -> Integer.valueOf(2).equals(n.get(0)))
                .map(n -> (String) n.get(1)).toList();
    }
}
