package dev.gantry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cert-manager objects of the optional component, checked against the fields of cert-manager.io/v1 that they use
 * (its CRDs are not on the build machines): a misspelt field would otherwise be pruned silently by the API server.
 */
final class CertManager {
    private static final Map<String, Set<String>> SPEC_FIELDS = Map.of(
            "Issuer", Set.of("selfSigned", "ca", "acme", "vault", "venafi"),
            "Certificate", Set.of("secretName", "commonName", "dnsNames", "ipAddresses", "uris", "emailAddresses",
                    "duration", "renewBefore", "isCA", "usages", "privateKey", "issuerRef", "subject",
                    "secretTemplate", "keystores", "literalSubject", "revisionHistoryLimit", "additionalOutputFormats",
                    "nameConstraints", "otherNames", "encodeUsagesInRequest"));
    private static final Set<String> PRIVATE_KEY = Set.of("algorithm", "size", "encoding", "rotationPolicy");
    private static final Set<String> ISSUER_REF = Set.of("name", "kind", "group");
    private static final Set<String> USAGES = Set.of("signing", "digital signature", "content commitment",
            "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only",
            "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime",
            "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc",
            "netscape sgc");

    private CertManager() {
    }

    /** Empty when the document is a cert-manager.io/v1 Issuer or Certificate using only known fields. */
    static List<String> problems(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        String kind = doc.path("kind").asText();
        String what = kind + " " + doc.path("metadata").path("name").asText();
        if (!doc.path("apiVersion").asText().equals("cert-manager.io/v1") || !SPEC_FIELDS.containsKey(kind)) {
            problems.add(what + ": no schema known for " + doc.path("apiVersion").asText() + " " + kind);
            return problems;
        }
        unknown(what + " spec", doc.path("spec"), SPEC_FIELDS.get(kind), problems);
        if (kind.equals("Certificate")) {
            unknown(what + " spec.privateKey", doc.path("spec").path("privateKey"), PRIVATE_KEY, problems);
            unknown(what + " spec.issuerRef", doc.path("spec").path("issuerRef"), ISSUER_REF, problems);
            if (!doc.path("spec").hasNonNull("secretName") || !doc.path("spec").path("issuerRef").hasNonNull("name")) {
                problems.add(what + ": spec.secretName and spec.issuerRef.name are required");
            }
            doc.path("spec").path("usages").forEach(u -> {
                if (!USAGES.contains(u.asText())) {
                    problems.add(what + ": unknown usage '" + u.asText() + "'");
                }
            });
        }
        return problems;
    }

    private static void unknown(String what, JsonNode object, Set<String> known, List<String> problems) {
        object.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                problems.add(what + ": unknown field '" + name + "'");
            }
        });
    }
}
