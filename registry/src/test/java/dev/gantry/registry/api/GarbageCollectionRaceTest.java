package dev.gantry.registry.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** {@link GarbageCollectionRace} with SQLite as the store. */
@QuarkusTest
@TestProfile(GarbageCollectionRaceTest.NoGrace.class)
class GarbageCollectionRaceTest extends GarbageCollectionRace {
    public static class NoGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gantry.gc.grace-period", "1s", "gantry.data-dir", "target/test-data-gc-race");
        }
    }
}
