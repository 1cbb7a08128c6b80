package dev.gantry.registry.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/** Ages an upload session in the metadata, so a test need not wait out the upload lifetime. */
final class UploadAge {
    private UploadAge() {
    }

    /** Moves the session's start an hour further back than {@code lifetime}. */
    static void makeOlderThan(Database database, Duration lifetime, String sessionId) {
        try (Connection c = database.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE uploads SET started_at = started_at - ? WHERE id = ?")) {
            ps.setLong(1, lifetime.plusHours(1).toMillis());
            ps.setString(2, sessionId);
            assertThat(ps.executeUpdate()).as("sessions aged").isEqualTo(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
