package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code cluster.local} section of the server configuration.
 *
 * @param gatewayHost           the address the gateway listens on ({@code gateway-host}, default {@code 127.0.0.1};
 *                              {@code 0.0.0.0} serves other machines too)
 * @param gatewayPort           the gateway's port ({@code gateway-port}, default 8080; 0 picks a free one)
 * @param bindHost              the address replicas listen on and are reached at ({@code bind-host}, default
 *                              {@code 127.0.0.1})
 * @param stopGrace             how long a replica has to exit after SIGTERM before it gets SIGKILL ({@code stop-grace},
 *                              default 10s)
 * @param restartBackoffInitial the wait before restarting a replica that exited for the first time
 *                              ({@code restart-backoff-initial}, default 500ms); it doubles with each further exit
 * @param restartBackoffMax     the longest wait between restarts ({@code restart-backoff-max}, default 30s)
 * @param healthInterval        how often a starting replica's health path is polled ({@code health-interval}, default
 *                              250ms); ready replicas are polled {@link #LIVENESS_FACTOR} times less often
 * @param logMaxBytes           the size at which a replica's log file is rotated ({@code log-max-bytes}, default 10 MiB)
 * @param logFiles              how many rotated files of a replica's log are kept beside it ({@code log-files}, default
 *                              3), so a replica's logs take at most about {@code (logFiles + 1) * logMaxBytes}
 * @param sandbox               whether each tenant's replicas run as an OS user of their own ({@code sandbox}):
 *                              {@code tenant-users}, {@code none} (the server's own user) or {@code auto} (the
 *                              default: tenant users where the server runs as root with setpriv), see
 *                              {@link TenantUsers}
 * @param sandboxUidBase        the first uid given to a tenant ({@code sandbox-uid-base}, default 200000)
 * @param sandboxUidCount       how many uids from it may be given ({@code sandbox-uid-count}, default 50000)
 * @param namespaces            whether replicas run in PID and mount namespaces of their own where the kernel allows
 *                              ({@code namespaces}: {@code auto}, the default, or {@code off}), see {@link Confinement}
 * @param cgroups               whether each replica gets a control group with its limits where the server may make one
 *                              ({@code cgroups}: {@code auto}, the default, or {@code off}), see {@link Cgroups}
 * @param maxProcesses          the most processes and threads one replica may run at once, in its control group
 *                              ({@code max-processes}, default 4096)
 */
public record LocalClusterConfig(
        String gatewayHost,
        int gatewayPort,
        String bindHost,
        Duration stopGrace,
        Duration restartBackoffInitial,
        Duration restartBackoffMax,
        Duration healthInterval,
        int logMaxBytes,
        int logFiles,
        Sandbox sandbox,
        int sandboxUidBase,
        int sandboxUidCount,
        boolean namespaces,
        boolean cgroups,
        int maxProcesses) {

    /** The {@code sandbox} setting. */
    public enum Sandbox {
        AUTO,
        NONE,
        TENANT_USERS
    }

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "cluster.local";

    /** How many times less often a ready replica is polled than a starting one. */
    public static final int LIVENESS_FACTOR = 8;

    static final String GATEWAY_HOST = "gateway-host";
    static final String GATEWAY_PORT = "gateway-port";
    static final String BIND_HOST = "bind-host";
    static final String STOP_GRACE = "stop-grace";
    static final String RESTART_BACKOFF_INITIAL = "restart-backoff-initial";
    static final String RESTART_BACKOFF_MAX = "restart-backoff-max";
    static final String HEALTH_INTERVAL = "health-interval";
    static final String LOG_MAX_BYTES = "log-max-bytes";
    static final String LOG_FILES = "log-files";
    static final String SANDBOX = "sandbox";
    static final String SANDBOX_UID_BASE = "sandbox-uid-base";
    static final String SANDBOX_UID_COUNT = "sandbox-uid-count";
    static final String NAMESPACES = "namespaces";
    static final String CGROUPS = "cgroups";
    static final String MAX_PROCESSES = "max-processes";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(
            GATEWAY_HOST,
            GATEWAY_PORT,
            BIND_HOST,
            STOP_GRACE,
            RESTART_BACKOFF_INITIAL,
            RESTART_BACKOFF_MAX,
            HEALTH_INTERVAL,
            LOG_MAX_BYTES,
            LOG_FILES,
            SANDBOX,
            SANDBOX_UID_BASE,
            SANDBOX_UID_COUNT,
            NAMESPACES,
            CGROUPS,
            MAX_PROCESSES);

    private static final int MIN_LOG_BYTES = 4096;

    public LocalClusterConfig {
        requireNonNull(gatewayHost, "gatewayHost is null");
        requireNonNull(bindHost, "bindHost is null");
        requireNonNull(stopGrace, "stopGrace is null");
        requireNonNull(restartBackoffInitial, "restartBackoffInitial is null");
        requireNonNull(restartBackoffMax, "restartBackoffMax is null");
        requireNonNull(healthInterval, "healthInterval is null");
        requireNonNull(sandbox, "sandbox is null");
        if (gatewayPort < 0 || gatewayPort > 65535) {
            throw new IllegalArgumentException("gatewayPort is not a port: " + gatewayPort);
        }
        if (logMaxBytes < MIN_LOG_BYTES) {
            throw new IllegalArgumentException("logMaxBytes is below " + MIN_LOG_BYTES + ": " + logMaxBytes);
        }
    }

    /** The configuration when the section is empty. */
    public static LocalClusterConfig defaults() {
        return from(PluginConfig.empty(SECTION));
    }

    /**
     * Binds the section.
     *
     * @throws PlatformException of category INVALID naming the key that is unknown or has a bad value
     */
    public static LocalClusterConfig from(PluginConfig config) {
        config.requireKnown(KEYS);
        Duration stopGrace = config.nonNegativeDuration(STOP_GRACE, Duration.ofSeconds(10));
        Duration initial = config.positiveDuration(RESTART_BACKOFF_INITIAL, Duration.ofMillis(500));
        Duration max = config.positiveDuration(RESTART_BACKOFF_MAX, Duration.ofSeconds(30));
        if (max.compareTo(initial) < 0) {
            throw PlatformException.invalid(
                    config.fullKey(RESTART_BACKOFF_MAX),
                    "configuration key '"
                            + config.fullKey(RESTART_BACKOFF_MAX) + "' (" + max + ") is shorter than '"
                            + config.fullKey(RESTART_BACKOFF_INITIAL) + "' (" + initial
                            + "); make it at least as long");
        }
        Duration healthInterval = config.positiveDuration(HEALTH_INTERVAL, Duration.ofMillis(250));
        return new LocalClusterConfig(
                config.string(GATEWAY_HOST, "127.0.0.1"),
                config.integer(GATEWAY_PORT, 8080, 0, 65535),
                config.string(BIND_HOST, "127.0.0.1"),
                stopGrace,
                initial,
                max,
                healthInterval,
                config.integer(LOG_MAX_BYTES, 10 * 1024 * 1024, MIN_LOG_BYTES, Integer.MAX_VALUE),
                config.integer(LOG_FILES, 3, 1, 100),
                sandbox(config),
                config.integer(SANDBOX_UID_BASE, 200_000, 1000, 2_000_000_000),
                config.integer(SANDBOX_UID_COUNT, 50_000, 1, 1_000_000),
                autoOrOff(config, NAMESPACES, "PID and mount namespaces of their own"),
                autoOrOff(config, CGROUPS, "a control group each with the limits of their spec"),
                config.integer(MAX_PROCESSES, 4096, 16, 4_194_304));
    }

    private static Sandbox sandbox(PluginConfig config) {
        String value = config.string(SANDBOX, "auto").trim();
        return switch (value) {
            case "auto" -> Sandbox.AUTO;
            case "none" -> Sandbox.NONE;
            case "tenant-users" -> Sandbox.TENANT_USERS;
            default ->
                throw PlatformException.invalid(
                        config.fullKey(SANDBOX),
                        "configuration key '" + config.fullKey(SANDBOX) + "' is '" + value
                                + "'; expected auto (tenant-users where the server runs as root, else none), none"
                                + " (replicas run as the server's user) or tenant-users (each tenant's replicas as an"
                                + " OS user of their own; the server must run as root)");
        };
    }

    private static boolean autoOrOff(PluginConfig config, String key, String what) {
        String value = config.string(key, "auto").trim();
        return switch (value) {
            case "auto" -> true;
            case "off" -> false;
            default ->
                throw PlatformException.invalid(
                        config.fullKey(key),
                        "configuration key '" + config.fullKey(key) + "' is '" + value + "'; expected auto (replicas"
                                + " get " + what + " where this machine allows) or off");
        };
    }

    /** How often a ready replica's health path is polled: rarely enough to cost nothing. */
    public Duration livenessInterval() {
        return healthInterval.multipliedBy(LIVENESS_FACTOR);
    }

    /** Where the replica listening on {@code port} is reached: on loopback when the bind host is every address. */
    URI replicaUri(int port) {
        String host = Set.of("0.0.0.0", "::", "[::]").contains(bindHost) ? "127.0.0.1" : bindHost;
        boolean bareIpv6 = host.contains(":") && !host.startsWith("[");
        return URI.create("http://" + (bareIpv6 ? "[" + host + "]" : host) + ":" + port);
    }
}
