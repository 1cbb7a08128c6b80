package dev.gantry.registry.clients;

import java.net.URI;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the client tests send their traffic: the Gantry server that {@code @QuarkusTest} started on its random test
 * port, or, when the system property {@code gantry.test.registry} is set (e.g. {@code 127.0.0.1:5001}), another
 * registry such as CNCF Distribution (to check the tests themselves against a reference implementation). The
 * environment variable {@code GANTRY_TEST_REGISTRY} does the same; prefer it: Gantry's {@code @ConfigMapping(prefix =
 * "gantry")} refuses unknown {@code gantry.*} system properties at start-up (SRCFG00050), so the system property also
 * needs {@code -Dsmallrye.config.mapping.validate-unknown=false}.
 */
public final class TestRegistry {

    public static final String OVERRIDE_PROPERTY = "gantry.test.registry";
    public static final String OVERRIDE_ENV = "GANTRY_TEST_REGISTRY";

    /** Makes repository names unique per JVM run, so a long-lived external registry never holds stale state. */
    private static final String RUN_ID = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);

    private TestRegistry() {
    }

    /** {@code host:port} of the registry under test. */
    public static String address() {
        String override = override();
        if (override != null) {
            return override;
        }
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "127.0.0.1:" + port;
    }

    public static URI baseUri() {
        return URI.create("http://" + address() + "/");
    }

    /** True when the tests run against another registry than Gantry (see {@link #OVERRIDE_PROPERTY}, {@link #OVERRIDE_ENV}). */
    public static boolean isExternal() {
        return override() != null;
    }

    private static String override() {
        for (String value : new String[] {System.getProperty(OVERRIDE_PROPERTY), System.getenv(OVERRIDE_ENV)}) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    /**
     * Skips the rest of a test when it runs against another registry: for assertions the OCI Distribution spec demands
     * but Distribution 2.8 does not honour (416 for out-of-order chunks, sorted tag lists), or for Gantry's own
     * registries (dev/qa/staging/prod/all).
     */
    public static void assumeGantry(String why) {
        Assumptions.assumeFalse(isExternal(), () -> "Gantry-only assertion skipped against " + address() + ": " + why);
    }

    /** A unique repository name under the given path, e.g. {@code dev/team/app} becomes {@code dev/team/app-1a2b3c}. */
    public static String repository(String path) {
        return path + "-" + RUN_ID;
    }

    /** {@code host:port/repository:tag}, for podman, buildah, ctr and Jib. */
    public static String reference(String repository, String tagOrDigest) {
        String separator = tagOrDigest.startsWith("sha256:") ? "@" : ":";
        return address() + "/" + repository + separator + tagOrDigest;
    }

    /** {@code docker://host:port/repository:tag}, for skopeo. */
    public static String docker(String repository, String tagOrDigest) {
        return "docker://" + reference(repository, tagOrDigest);
    }
}
