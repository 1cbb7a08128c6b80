package dev.gantry.registry;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Says where the registry listens and how it is protected, so a quick start's plain HTTP is never a surprise. */
@Singleton
public class StartupBanner {
    private static final Logger LOG = Logger.getLogger(StartupBanner.class);

    void onStart(@Observes StartupEvent event,
            @ConfigProperty(name = "quarkus.http.host") String host,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        LOG.infof("Gantry registry listening on http://%s:%d/v2/ (plain HTTP, authentication off: local quick start "
                + "only)", host, port);
    }
}
