package dev.gantry.registry.auth;

import static dev.gantry.registry.auth.AccessControlTest.ADMIN;
import static dev.gantry.registry.auth.AccessControlTest.ADMIN_PASSWORD;
import static dev.gantry.registry.auth.AccessControlTest.OCI_MANIFEST;
import static dev.gantry.registry.auth.AccessControlTest.as;
import static dev.gantry.registry.auth.AccessControlTest.mint;
import static dev.gantry.registry.auth.AccessControlTest.pushBlob;
import static dev.gantry.registry.auth.AccessControlTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The access matrix: credentials for dev, qa, prod, the virtual {@code all}, a CI pusher and the operator, against
 * pull, push, delete, referrers, mount-from-another-registry and promote on every registry — the expectations follow
 * from the grants listed here, not from the code under test.
 */
@QuarkusTest
@TestProfile(AccessControlTest.AuthOn.class)
class AccessMatrixTest {
    private static final Map<String, String> SECRETS = new HashMap<>();
    private static final Map<String, String> NAMES = new HashMap<>();
    private static String repo;
    private static String digest;
    private static String blob;

    /** The credentials of the matrix: what each holds. */
    private static final Map<String, List<Map<String, Object>>> GRANTS = Map.of(
            "dev", List.of(grant("dev", "pull", "push", "delete")),
            "qa", List.of(grant("qa", "pull")),
            "prod", List.of(grant("prod", "pull")),
            "all", List.of(grant("all", "pull")),
            "ci", List.of(grant("dev", "pull", "push")),
            "operator", List.of(grant("*", "pull", "promote")));

    private static Map<String, Object> grant(String registry, String... actions) {
        return Map.of("registry", registry, "actions", List.of(actions));
    }

    @BeforeEach
    void setUp() {
        if (repo != null) {
            return;
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        GRANTS.forEach((who, grants) -> {
            NAMES.put(who, "m" + who + "-" + run);
            SECRETS.put(who, mint("m" + who + "-" + run, grants));
        });
        repo = "matrix-" + run + "/app";
        byte[] config = ("{\"matrix\":\"" + run + "\"}").getBytes(StandardCharsets.UTF_8);
        String configDigest = pushBlob(ADMIN, ADMIN_PASSWORD, "dev/" + repo, config);
        blob = configDigest;
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        as(ADMIN, ADMIN_PASSWORD).contentType(OCI_MANIFEST).body(manifest).put("/v2/dev/" + repo + "/manifests/1")
                .then().statusCode(201);
        digest = sha256(manifest);
        for (String[] hop : new String[][] {{"dev", "qa"}, {"qa", "staging"}, {"staging", "prod"}}) {
            as(ADMIN, ADMIN_PASSWORD).contentType("application/json").body(Map.of("repository", repo, "from", hop[0],
                    "to", hop[1], "digest", digest)).post("/api/v1/promotions").then().statusCode(201);
        }
    }

    /** who, operation, registry, allowed. */
    static Stream<Arguments> matrix() {
        List<Arguments> rows = new ArrayList<>();
        String[] registries = {"dev", "qa", "staging", "prod", "all"};
        Map<String, String> pull = Map.of("dev", "dev", "qa", "qa", "prod", "prod", "all", "all", "ci", "dev",
                "operator", "*");
        for (String who : GRANTS.keySet()) {
            for (String registry : registries) {
                boolean mayPull = pull.get(who).equals("*") || pull.get(who).equals(registry);
                rows.add(Arguments.of(who, "pull", registry, mayPull));
                rows.add(Arguments.of(who, "referrers", registry, mayPull));
                boolean mayPush = (who.equals("dev") || who.equals("ci")) && registry.equals("dev");
                rows.add(Arguments.of(who, "push", registry, mayPush));
                rows.add(Arguments.of(who, "delete", registry, who.equals("dev") && registry.equals("dev")));
                // a mount needs pull on the source too: those who may push get a plain upload (202), never a mount
                rows.add(Arguments.of(who, "mount from prod", registry, mayPush));
            }
        }
        // promotion: only the operator, along the declared path
        for (String who : GRANTS.keySet()) {
            rows.add(Arguments.of(who, "promote dev->qa", "qa", who.equals("operator")));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "the {0} credential's catalog lists only what it may read")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dev", "qa", "prod", "all", "ci", "operator"})
    void theCatalogListsOnlyReadableRegistries(String who) {
        List<String> names = as(NAMES.get(who), SECRETS.get(who)).get("/v2/_catalog").then().statusCode(200)
                .extract().path("repositories");
        String readable = switch (who) {
            case "ci" -> "dev";
            case "operator" -> "*";
            default -> who;
        };
        if (readable.equals("*")) {
            assertThat(names).contains("dev/" + repo, "qa/" + repo, "staging/" + repo, "prod/" + repo);
        } else {
            assertThat(names).allMatch(n -> n.startsWith(readable + "/"));
            if (!readable.equals("all")) {
                assertThat(names).contains(readable + "/" + repo);
            }
        }
    }

    @ParameterizedTest(name = "{0} credential: {1} on {2} allowed={3}")
    @MethodSource("matrix")
    void eachCredentialReachesExactlyWhatItHolds(String who, String operation, String registry, boolean allowed) {
        String user = NAMES.get(who);
        String secret = SECRETS.get(who);
        String name = registry + "/" + repo;
        int status = switch (operation) {
            case "pull" -> as(user, secret).accept(OCI_MANIFEST).get("/v2/" + name + "/manifests/" + digest)
                    .statusCode();
            case "referrers" -> as(user, secret).get("/v2/" + name + "/referrers/" + digest).statusCode();
            case "push" -> as(user, secret).post("/v2/" + name + "/blobs/uploads/").statusCode();
            case "delete" -> as(user, secret).delete("/v2/" + name + "/manifests/no-such-tag").statusCode();
            case "mount from prod" -> as(user, secret).post("/v2/" + name + "/blobs/uploads/?mount=" + blob
                    + "&from=prod/" + repo).statusCode();
            default -> as(user, secret).contentType("application/json").body(Map.of("repository", repo, "from", "dev",
                    "to", "qa", "digest", digest)).post("/api/v1/promotions").statusCode();
        };
        if (!allowed) {
            assertThat(status).as("%s %s on %s", who, operation, registry).isEqualTo(403);
        } else {
            assertThat(status).as("%s %s on %s", who, operation, registry).isIn(switch (operation) {
                case "pull", "referrers" -> List.of(200);
                case "push", "mount from prod" -> List.of(202);
                case "delete" -> List.of(404); // allowed through; there is no such tag
                default -> List.of(201);
            });
        }
    }
}
