package dev.gantry.registry.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** {@link GarbageCollectionRace} with PostgreSQL as the store (needs what {@link PostgresServerTest} needs). */
@QuarkusTest
@TestProfile(PostgresGarbageCollectionRaceTest.NoGraceOnPostgres.class)
class PostgresGarbageCollectionRaceTest extends GarbageCollectionRace {
    public static class NoGraceOnPostgres implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new PostgresServerTest.OnPostgres().getConfigOverrides());
            config.put("gantry.gc.grace-period", "1s");
            config.put("gantry.data-dir", "target/test-data-gc-race-pg");
            return config;
        }
    }

    @BeforeAll
    static void needsPostgres() {
        PostgresServerTest.needsPostgres();
    }
}
