package dev.gantry.registry.api;

import static dev.gantry.registry.api.Oci.pushBlob;
import static dev.gantry.registry.api.Oci.randomBytes;
import static dev.gantry.registry.api.Oci.uniqueRepo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Garbage collection on its own schedule, nobody asking. */
@QuarkusTest
@TestProfile(GarbageCollectionScheduleTest.EverySecond.class)
class GarbageCollectionScheduleTest {
    public static class EverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.gc.interval", "1s", "gantry.gc.initial-delay", "1s",
                    "gantry.gc.grace-period", "0s", "gantry.data-dir", "target/test-data-gc-schedule");
        }
    }

    @Test
    void aLayerNoManifestUsesIsCollectedByTheScheduledRun() {
        String repo = uniqueRepo("dev");
        String digest = pushBlob(repo, randomBytes(4096, 11));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v2/" + repo + "/blobs/" + digest)
                .then().statusCode(404));
        given().get("/api/v1/gc").then().statusCode(200).body("lastRun.dryRun", org.hamcrest.Matchers.equalTo(false));
        given().get("/q/metrics").then().statusCode(200) // nobody asked for a collection: the schedule ran it
                .body(org.hamcrest.Matchers.containsString("gantry_gc_removed_total{what=\"blobs\"} 1.0"));
    }
}
