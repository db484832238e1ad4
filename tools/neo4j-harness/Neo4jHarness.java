/*
 * In-process Neo4j 5.26 test server for tracegraph (no Docker needed).
 *
 * Usage (single-file source launch, Java 17+):
 *
 *   java -Xmx512m -cp 'lib/*' Neo4jHarness.java <port> [baseDir]
 *
 * - Bolt listens on 127.0.0.1:<port>, unencrypted. HTTP/HTTPS are disabled.
 * - Auth: if the environment variable NEO4J_PASSWORD is set and non-empty, auth is
 *   ENABLED and user "neo4j" gets that password (no forced change); otherwise auth is
 *   DISABLED (any credentials are accepted).
 * - The database lives in a fresh random sub-directory of [baseDir] (default: the JVM
 *   temp dir) and is deleted on shutdown: every start is an empty database.
 * - APOC core (apoc-core / apoc-common jars found on the classpath) is staged into a
 *   private plugin directory so its procedures and functions get registered.
 * - Prints exactly one line "READY bolt://127.0.0.1:<port>" on stdout once Bolt accepts
 *   connections; diagnostics go to stderr, Neo4j's own logs to neo4j.log/debug.log in
 *   the database directory (printed on stderr at start).
 * - Shuts down cleanly on SIGTERM/SIGINT, or when stdin reaches EOF (so a parent that
 *   dies takes the server with it). Stdin is not watched when it is /dev/null or when
 *   NEO4J_HARNESS_WATCH_STDIN=0.
 *
 * Optional environment: NEO4J_HARNESS_PAGECACHE_MB (default 96).
 */

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

public final class Neo4jHarness {

    private static final String HOST = "127.0.0.1";

    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    private static final PrintStream ERR = new PrintStream(System.err, true, StandardCharsets.UTF_8);

    private Neo4jHarness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            ERR.println("usage: java -cp 'lib/*' Neo4jHarness.java <port> [baseDir]");
            System.exit(2);
        }
        int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            ERR.println("Neo4jHarness: invalid port: " + args[0]);
            System.exit(2);
        }
        Path base = args.length == 2 && !args[1].isBlank()
                ? Path.of(args[1]).toAbsolutePath()
                : Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        Files.createDirectories(base);

        if (portInUse(port)) {
            ERR.println("Neo4jHarness: something already listens on " + HOST + ":" + port);
            System.exit(1);
        }

        String password = System.getenv("NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();
        long pageCacheMb = envLong("NEO4J_HARNESS_PAGECACHE_MB", 96);

        Path plugins = Files.createTempDirectory(base, "neo4j-plugins-");
        List<String> staged = stageApoc(plugins);

        long t0 = System.nanoTime();
        Neo4j neo4j;
        try {
            neo4j = Neo4jBuilders.newInProcessBuilder(base)
                    .withDisabledServer() // no HTTP / HTTPS connector at all
                    .withConfig(BoltConnector.enabled, true)
                    .withConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                    .withConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                    .withConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .withConfig(GraphDatabaseSettings.auth_enabled, auth)
                    .withConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                    .withConfig(GraphDatabaseSettings.pagecache_memory, pageCacheMb * 1024L * 1024L)
                    .withConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .withConfig(GraphDatabaseSettings.udc_enabled, false)
                    .withConfig(GraphDatabaseSettings.plugin_dir, plugins)
                    .withConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
                    // Netty's graceful shutdown otherwise idles ~15 s before the Bolt port closes.
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(3))
                    .build();
        } catch (RuntimeException e) {
            ERR.println("Neo4jHarness: failed to start Neo4j: " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                ERR.println("  caused by: " + c);
            }
            deleteTree(plugins);
            System.exit(1);
            return;
        }

        AtomicBoolean closed = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable shutdown = () -> {
            if (closed.compareAndSet(false, true)) {
                ERR.println("Neo4jHarness: shutting down");
                try {
                    neo4j.close();
                } catch (RuntimeException e) {
                    ERR.println("Neo4jHarness: error during shutdown: " + e);
                }
                deleteTree(plugins);
                ERR.println("Neo4jHarness: stopped");
            }
            stopped.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-harness-shutdown"));

        if (auth) {
            // Embedded transactions bypass auth, so the initial password can be set directly
            // on the system database before any client can connect (READY is not printed yet).
            neo4j.databaseManagementService()
                    .database("system")
                    .executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                            Map.of("password", password));
        }

        Path home = neo4j.config().get(GraphDatabaseSettings.neo4j_home);
        ERR.printf("Neo4jHarness: Neo4j %s started in %d ms; home=%s; auth=%s; apoc=%s; pagecache=%dMB%n",
                neo4jVersion(neo4j), (System.nanoTime() - t0) / 1_000_000, home,
                auth ? "enabled (user neo4j, password from NEO4J_PASSWORD)" : "disabled",
                staged.isEmpty() ? "absent" : String.join(",", staged), pageCacheMb);

        watchStdin();
        OUT.println("READY bolt://" + HOST + ":" + port);

        stopped.await();
    }

    /** Exit (running the shutdown hook) when stdin hits EOF, unless stdin is /dev/null or disabled. */
    private static void watchStdin() {
        if ("0".equals(System.getenv("NEO4J_HARNESS_WATCH_STDIN"))) {
            return;
        }
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/0"));
            if (target.toString().equals("/dev/null")) {
                return;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not Linux or not inspectable: watch stdin anyway.
        }
        Thread watcher = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                InputStream in = System.in;
                while (in.read(buf) >= 0) {
                    // Ignore input; only EOF matters.
                }
            } catch (IOException e) {
                // Treat a broken stdin like EOF.
            }
            ERR.println("Neo4jHarness: stdin closed");
            System.exit(0);
        }, "neo4j-harness-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Copy the APOC jars found on the classpath into the plugin directory; returns their names. */
    private static List<String> stageApoc(Path plugins) throws IOException {
        List<String> staged = new ArrayList<>();
        String sep = System.getProperty("path.separator");
        for (String entry : System.getProperty("java.class.path", "").split(sep)) {
            Path jar = Path.of(entry);
            Path name = jar.getFileName();
            if (name == null) {
                continue;
            }
            String file = name.toString();
            if (file.startsWith("apoc-") && file.endsWith(".jar") && Files.isRegularFile(jar)) {
                Files.copy(jar, plugins.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                staged.add(file);
            }
        }
        return staged;
    }

    private static String neo4jVersion(Neo4j neo4j) {
        try {
            return neo4j.defaultDatabaseService().executeTransactionally(
                    "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                    Map.of(),
                    r -> r.hasNext() ? String.valueOf(r.next().get("v")) : "?");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static boolean portInUse(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long envLong(String name, long dflt) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            ERR.println("Neo4jHarness: ignoring invalid " + name + "=" + v);
            return dflt;
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
