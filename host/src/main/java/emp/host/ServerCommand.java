package emp.host;

import emp.host.config.HostKey;
import emp.host.config.ServerConfig;
import emp.spi.PlatformException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emp server}: runs the platform in the foreground until SIGTERM or Ctrl-C, then stops cleanly, replicas
 * included. Flags override {@code EMP_*} variables, which override {@code conf/emp.yaml}.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the EMP platform in the foreground (Ctrl-C stops it).")
public final class ServerCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Configuration file (default: the distribution's conf/emp.yaml).")
    private Path configFile;

    @Option(names = "--api-host", paramLabel = "HOST", description = "Address the API listens on (default 127.0.0.1).")
    private String apiHost;

    @Option(names = "--api-port", paramLabel = "PORT", description = "Port of the control API (default 7070).")
    private Integer apiPort;

    @Option(
            names = "--gateway-port",
            paramLabel = "PORT",
            description = "Port of the gateway of the local or Mesos cluster (default 8080).")
    private Integer gatewayPort;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Where the platform keeps its state (default $EMP_HOME/data).")
    private Path dataDir;

    @Option(
            names = "--plugins-dir",
            paramLabel = "DIR",
            description = "Folder of plugin jars (default: the distribution's plugins/).")
    private Path pluginsDir;

    @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster manager plugin (default local).")
    private String cluster;

    @Option(names = "--store", paramLabel = "NAME", description = "State store plugin (default file).")
    private String store;

    @Option(
            names = "--tracing",
            paramLabel = "NAME",
            description = "Trace source plugin: http, kafka or none (default http).")
    private String tracing;

    @Option(names = "--scheduler", paramLabel = "NAME", description = "Scheduler plugin (default none).")
    private String scheduler;

    @Option(names = "--zipkin", description = "Also run a Zipkin server (UI on port 9411) that sees the same spans.")
    private boolean zipkin;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Set any configuration key, e.g. --set store.redis.url=redis://host:6379.")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmpServer server;
        try {
            server = EmpServer.start(
                    ServerConfig.load(configFile(), System.getenv(), overrides()), empHome(), Clock.systemUTC());
        } catch (PlatformException e) {
            err.println("emp server: " + e.getMessage());
            err.flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    stopped.countDown();
                },
                "emp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("EMP " + EmpServer.VERSION + " is running");
        out.println("  API:       " + server.apiUri());
        out.println("  dashboard: " + server.apiUri() + "/ui/");
        server.gatewayUri().ifPresent(uri -> out.println("  gateway:   " + uri));
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }

    private Path configFile() {
        if (configFile != null) {
            return configFile;
        }
        String home = System.getProperty("emp.home");
        Path distributionConfig = home == null ? null : Path.of(home, "conf", "emp.yaml");
        return distributionConfig != null && Files.isRegularFile(distributionConfig) ? distributionConfig : null;
    }

    private Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, HostKey.API_HOST.key(), apiHost);
        put(overrides, HostKey.API_PORT.key(), apiPort);
        // Each cluster with a gateway of its own reads its own section; only the one in use reads it.
        put(overrides, "cluster.local.gateway-port", gatewayPort);
        put(overrides, "cluster.mesos.gateway-port", gatewayPort);
        put(overrides, HostKey.DATA_DIR.key(), dataDir);
        put(overrides, HostKey.PLUGINS_DIR.key(), pluginsDir);
        put(overrides, HostKey.CLUSTER.key(), cluster);
        put(overrides, HostKey.STORE.key(), store);
        put(overrides, HostKey.TRACING.key(), tracing);
        put(overrides, HostKey.SCHEDULER.key(), scheduler);
        if (zipkin) {
            overrides.put(HostKey.ZIPKIN.key(), "true");
        }
        overrides.putAll(settings);
        return overrides;
    }

    private static void put(Map<String, String> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }

    /** {@code $EMP_HOME}, default {@code ~/.emp}. */
    public static Path empHome() {
        String home = System.getenv("EMP_HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".emp");
    }
}
