package io.microstore;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.logging.common.LogConfig;

/** Sets up java.util.logging from the packaged logging.properties, more verbose with --debug. */
final class Logging {
    private Logging() {}

    static void configure(boolean debug) {
        LogConfig.configureRuntime();
        if (debug) {
            Logger.getLogger("io.microstore").setLevel(Level.FINE);
            Logger.getLogger("io.helidon").setLevel(Level.INFO);
            Logger.getLogger("").getHandlers()[0].setLevel(Level.FINE);
        }
    }
}
