package io.microstore;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line: flags become config overrides (they win over every other source) plus a few
 * actions that are not config (help, version, repair).
 */
record Cli(
        Map<String, String> overrides,
        Path configFile,
        boolean help,
        boolean version,
        boolean repair,
        boolean debug,
        Path importFile,
        boolean overwrite) {
    static final String USAGE = """
            Usage: microstore [options]     (from a checkout: java -jar target/microstore.jar [options])

              --data DIR       keep data in DIR (journal + snapshots); without it, data is in memory only
              --etcd URLS      cluster mode: keep data in the etcd cluster at URLS (comma-separated,
                               e.g. http://10.0.0.5:2379,http://10.0.0.6:2379); store.etcd.prefix
                               (default /microstore/) lets several datasets share a cluster
              --host H         address to listen on (default 127.0.0.1)
              --port P         port to listen on (default 8080; 0 picks a free port)
              --fsync MODE     always (default) | interval | never
              --config FILE    read settings from FILE instead of conf/application.yaml
              --debug          verbose logging
              --repair         with --data: cut a damaged journal at its last good record, keep the
                               damaged original aside, report, and exit
              --import FILE    before serving, load FILE: a db.json of the old Flask + TinyDB service
                               or JSON lines from GET /api/export; refuses names that exist already
              --overwrite      with --import: replace apps that exist already
              -h, --help       print this help and exit
              --version        print the version and the commit it was built from, and exit

            Exit status: 0 stopped (SIGTERM, Ctrl-C), 1 cannot start (see the message), 2 bad flag
            or setting, 3 out of heap, 4 data directory in use, 5 data directory damaged (--repair).
            Bearer-token auth for /api: set security.token or MICROSTORE_TOKEN (see README).
            Settings come from, highest first: these flags, -D system properties, environment
            variables (STORE_FSYNC=never), the config file, the defaults packaged in the jar.
            """;

    static Cli parse(String... args) {
        Map<String, String> overrides = new LinkedHashMap<>();
        Path configFile = null;
        boolean help = false;
        boolean version = false;
        boolean repair = false;
        boolean debug = false;
        Path importFile = null;
        boolean overwrite = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) { // --port=0 as well as --port 0
                inline = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "--version" -> version = true;
                case "--repair" -> repair = true;
                case "--debug" -> debug = true;
                case "--overwrite" -> overwrite = true;
                case "--import" -> importFile = Path.of(inline != null ? inline : value(args, ++i, arg));
                case "--data" -> overrides.put("store.data", inline != null ? inline : value(args, ++i, arg));
                case "--etcd" -> overrides.put("store.etcd.endpoints", inline != null ? inline : value(args, ++i, arg));
                case "--host" -> overrides.put("server.host", inline != null ? inline : value(args, ++i, arg));
                case "--port" -> overrides.put("server.port", inline != null ? inline : value(args, ++i, arg));
                case "--fsync" -> overrides.put("store.fsync", inline != null ? inline : value(args, ++i, arg));
                case "--config" -> configFile = Path.of(inline != null ? inline : value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new Cli(Map.copyOf(overrides), configFile, help, version, repair, debug, importFile, overwrite);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
