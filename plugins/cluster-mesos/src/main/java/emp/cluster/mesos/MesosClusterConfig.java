package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code cluster.mesos} section of the server configuration.
 *
 * @param master                the Mesos master, {@code http://host:5050} ({@code master}, default
 *                              {@code http://127.0.0.1:5050}); a master that does not lead redirects EMP to the one
 *                              that does
 * @param role                  the role EMP's framework takes its resources as ({@code role}, default {@code *})
 * @param principal             the principal EMP authenticates as ({@code principal}); empty for a master that asks
 *                              for no credentials
 * @param secret                the principal's secret, sent as HTTP basic authentication ({@code secret}); never
 *                              shown back
 * @param user                  the user the agents run tasks as ({@code user}, default {@code nobody})
 * @param frameworkName         the framework's name in the master's UI ({@code framework-name}, default {@code emp})
 * @param failoverTimeout       how long the master keeps the framework's tasks running while no EMP server is
 *                              subscribed ({@code failover-timeout}, default 7d, as Marathon's)
 * @param gatewayHost           the address EMP's gateway listens on ({@code gateway-host}, default {@code 127.0.0.1})
 * @param gatewayPort           the gateway's port ({@code gateway-port}, default 8080; 0 picks a free one)
 * @param gatewayAdvertised     the gateway's base URL as tasks on the agents reach it, for {@code <DEP>_URL}
 *                              ({@code gateway-url}); empty for {@code http://gateway-host:gateway-port}
 * @param defaultCpus           the cpus of a task whose spec names none ({@code default-cpus}, default 0.1)
 * @param defaultMemoryMb       the memory, in MiB, of a task whose spec names none ({@code default-memory}, default 128)
 * @param offerRefusal          how long the master is asked not to offer again an agent's resources EMP declined
 *                              ({@code offer-refusal}, default 30s); EMP asks again at once when it needs more
 * @param restartBackoffInitial the wait before replacing a task that failed for the first time
 *                              ({@code restart-backoff-initial}, default 1s); it doubles with each further failure
 * @param restartBackoffMax     the longest wait between replacements ({@code restart-backoff-max}, default 60s)
 * @param healthInterval        how often an agent checks a task's health path ({@code health-interval}, default 2s)
 * @param healthGrace           how long a starting task may fail its health check before failures count
 *                              ({@code health-grace}, default 60s)
 * @param killGrace             how long a task has to exit after SIGTERM before SIGKILL ({@code kill-grace}, default
 *                              10s)
 */
public record MesosClusterConfig(
        URI master,
        String role,
        String principal,
        String secret,
        String user,
        String frameworkName,
        Duration failoverTimeout,
        String gatewayHost,
        int gatewayPort,
        Optional<URI> gatewayAdvertised,
        double defaultCpus,
        int defaultMemoryMb,
        Duration offerRefusal,
        Duration restartBackoffInitial,
        Duration restartBackoffMax,
        Duration healthInterval,
        Duration healthGrace,
        Duration killGrace) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "cluster.mesos";

    static final String MASTER = "master";
    static final String ROLE = "role";
    static final String PRINCIPAL = "principal";
    static final String SECRET = "secret";
    static final String USER = "user";
    static final String FRAMEWORK_NAME = "framework-name";
    static final String FAILOVER_TIMEOUT = "failover-timeout";
    static final String GATEWAY_HOST = "gateway-host";
    static final String GATEWAY_PORT = "gateway-port";
    static final String GATEWAY_URL = "gateway-url";
    static final String DEFAULT_CPUS = "default-cpus";
    static final String DEFAULT_MEMORY = "default-memory";
    static final String OFFER_REFUSAL = "offer-refusal";
    static final String RESTART_BACKOFF_INITIAL = "restart-backoff-initial";
    static final String RESTART_BACKOFF_MAX = "restart-backoff-max";
    static final String HEALTH_INTERVAL = "health-interval";
    static final String HEALTH_GRACE = "health-grace";
    static final String KILL_GRACE = "kill-grace";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(
            MASTER,
            ROLE,
            PRINCIPAL,
            SECRET,
            USER,
            FRAMEWORK_NAME,
            FAILOVER_TIMEOUT,
            GATEWAY_HOST,
            GATEWAY_PORT,
            GATEWAY_URL,
            DEFAULT_CPUS,
            DEFAULT_MEMORY,
            OFFER_REFUSAL,
            RESTART_BACKOFF_INITIAL,
            RESTART_BACKOFF_MAX,
            HEALTH_INTERVAL,
            HEALTH_GRACE,
            KILL_GRACE);

    public MesosClusterConfig {
        requireNonNull(master, "master is null");
        requireNonNull(role, "role is null");
        requireNonNull(principal, "principal is null");
        requireNonNull(secret, "secret is null");
        requireNonNull(user, "user is null");
        requireNonNull(frameworkName, "frameworkName is null");
        requireNonNull(failoverTimeout, "failoverTimeout is null");
        requireNonNull(gatewayHost, "gatewayHost is null");
        requireNonNull(gatewayAdvertised, "gatewayAdvertised is null");
        requireNonNull(offerRefusal, "offerRefusal is null");
        requireNonNull(restartBackoffInitial, "restartBackoffInitial is null");
        requireNonNull(restartBackoffMax, "restartBackoffMax is null");
        requireNonNull(healthInterval, "healthInterval is null");
        requireNonNull(healthGrace, "healthGrace is null");
        requireNonNull(killGrace, "killGrace is null");
    }

    /** The configuration when the section is empty. */
    public static MesosClusterConfig defaults() {
        return from(PluginConfig.empty(SECTION));
    }

    /**
     * Binds the section.
     *
     * @throws PlatformException of category INVALID naming the key that is unknown or has a bad value
     */
    public static MesosClusterConfig from(PluginConfig config) {
        config.requireKnown(KEYS);
        String principal = config.string(PRINCIPAL, "");
        String secret = config.string(SECRET, "");
        if (principal.isEmpty() && !secret.isEmpty()) {
            throw PlatformException.invalid(
                    config.fullKey(PRINCIPAL),
                    "configuration key '" + config.fullKey(SECRET) + "' is set but '" + config.fullKey(PRINCIPAL)
                            + "' is not; set the principal the secret belongs to");
        }
        Duration initial = config.positiveDuration(RESTART_BACKOFF_INITIAL, Duration.ofSeconds(1));
        Duration max = config.positiveDuration(RESTART_BACKOFF_MAX, Duration.ofSeconds(60));
        if (max.compareTo(initial) < 0) {
            throw PlatformException.invalid(
                    config.fullKey(RESTART_BACKOFF_MAX),
                    "configuration key '" + config.fullKey(RESTART_BACKOFF_MAX) + "' (" + max + ") is shorter than '"
                            + config.fullKey(RESTART_BACKOFF_INITIAL) + "' (" + initial
                            + "); make it at least as long");
        }
        String role = config.string(ROLE, "*");
        if (!role.equals("*") && !role.matches("[A-Za-z0-9_][A-Za-z0-9_.\\-/]*") || role.equals(".")) {
            throw PlatformException.invalid(
                    config.fullKey(ROLE),
                    "configuration key '" + config.fullKey(ROLE) + "' is '" + role
                            + "'; expected * or a Mesos role name: letters, digits, '_', '-', '.' and '/'");
        }
        return new MesosClusterConfig(
                httpUri(config, MASTER, config.string(MASTER, "http://127.0.0.1:5050")),
                role,
                principal,
                secret,
                config.string(USER, "nobody"),
                config.string(FRAMEWORK_NAME, "emp"),
                config.positiveDuration(FAILOVER_TIMEOUT, Duration.ofDays(7)),
                config.string(GATEWAY_HOST, "127.0.0.1"),
                config.integer(GATEWAY_PORT, 8080, 0, 65535),
                config.get(GATEWAY_URL).map(url -> httpUri(config, GATEWAY_URL, url)),
                cpus(config),
                config.integer(DEFAULT_MEMORY, 128, 4, 16 * 1024 * 1024),
                config.positiveDuration(OFFER_REFUSAL, Duration.ofSeconds(30)),
                initial,
                max,
                config.positiveDuration(HEALTH_INTERVAL, Duration.ofSeconds(2)),
                config.positiveDuration(HEALTH_GRACE, Duration.ofSeconds(60)),
                config.positiveDuration(KILL_GRACE, Duration.ofSeconds(10)));
    }

    /** Whether EMP authenticates to the master. */
    public boolean authenticates() {
        return !principal.isEmpty();
    }

    /** The {@code Authorization} header of HTTP basic authentication as the principal, or null when none is set. */
    String authorization() {
        if (!authenticates()) {
            return null;
        }
        String credential = principal + ":" + secret;
        return "Basic " + Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8));
    }

    /** The master's scheduler endpoint. */
    URI schedulerEndpoint() {
        return master.resolve("/api/v1/scheduler");
    }

    /** The section as a person may see it: the secret masked. */
    @Override
    public String toString() {
        return "MesosClusterConfig[master=" + master + ", role=" + role + ", principal=" + principal + ", secret="
                + (secret.isEmpty() ? "" : "****") + ", user=" + user + ", frameworkName=" + frameworkName
                + ", gateway=" + gatewayHost + ":" + gatewayPort + "]";
    }

    private static double cpus(PluginConfig config) {
        String raw = config.string(DEFAULT_CPUS, "0.1");
        try {
            double cpus = Double.parseDouble(raw);
            if (cpus >= 0.01 && cpus <= 1024) {
                return cpus;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw PlatformException.invalid(
                config.fullKey(DEFAULT_CPUS),
                "configuration key '" + config.fullKey(DEFAULT_CPUS) + "' is '" + raw
                        + "'; expected a number of cpus from 0.01 to 1024, such as 0.25");
    }

    private static URI httpUri(PluginConfig config, String key, String raw) {
        try {
            URI uri = new URI(raw.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Falls through to the error below.
        }
        throw PlatformException.invalid(
                config.fullKey(key),
                "configuration key '" + config.fullKey(key) + "' is '" + raw
                        + "'; expected an http or https URL with a host, such as http://mesos-master:5050");
    }
}
