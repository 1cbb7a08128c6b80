package dev.gantry.tls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code gantry.tls.*}: how the HTTPS server's certificate files are watched. */
@ConfigMapping(prefix = "gantry.tls")
public interface TlsReloadConfig {
    /**
     * How often the certificate and key files are checked for a renewal ({@code off}: never; a restart then picks a new
     * certificate up). Only changed files are reloaded and handed to the server.
     */
    @WithDefault("1m")
    String reloadPeriod();
}
