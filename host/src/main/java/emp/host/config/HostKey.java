package emp.host.config;

import emp.spi.PluginConfig;
import java.util.Optional;

/** The server's own configuration keys, with their defaults. */
public enum HostKey {
    API_HOST("api.host", "127.0.0.1"),
    API_PORT("api.port", "7070"),
    DATA_DIR("data-dir", ""),
    PLUGINS_DIR("plugins.dir", ""),
    CLUSTER("cluster.use", "local"),
    STORE("store.use", "file"),
    TRACING("tracing.use", "http"),
    SCHEDULER("scheduler.use", "none"),
    RECONCILE_INTERVAL("reconcile.interval", "2s"),
    SERVER_ID("server.id", ""),
    LEASE_TTL("lease.ttl", "6s"),
    TOKEN_TTL("auth.token-ttl", "24h"),
    BCRYPT_COST("auth.bcrypt-cost", "10"),
    SIGNUP("accounts.signup", "invite"),
    AUDIT_KEPT("audit.kept", "10000"),
    EVENTS_KEPT("events.kept", "1000"),
    RELEASE_TIMEOUT("release.timeout", "3m"),
    SECRETS_KEY("secrets.key", ""),
    SECRETS_KEY_FILE("secrets.key-file", ""),
    QUOTA_APPS("quota.apps-per-user", "50"),
    QUOTA_REPLICAS("quota.replicas-per-user", "100"),
    TRACING_WINDOW("tracing.window", "10s"),
    TRACING_BUCKET("tracing.bucket", "1s"),
    TRACING_SETTLE("tracing.settle", "2s"),
    TRACING_MAX_PENDING_SPANS("tracing.max-pending-spans", "0"),
    TRACING_ANALYSIS_THREADS("tracing.analysis-threads", "0"),
    TRACING_UI_URL("tracing.ui-url", ""),
    SCHEDULER_INTERVAL("scheduler.interval", "1s"),
    SCHEDULER_COOLDOWN_UP("scheduler.cooldown-up", "10s"),
    SCHEDULER_COOLDOWN_DOWN("scheduler.cooldown-down", "60s"),
    SCHEDULER_DECIDE_TIMEOUT("scheduler.decide-timeout", "500ms"),
    SCHEDULER_DRY_RUN("scheduler.dry-run", "false"),
    ZIPKIN("tracing.zipkin", "false"),
    ZIPKIN_PORT("tracing.zipkin-port", "9411"),
    ZIPKIN_JAR("tracing.zipkin-jar", "");

    private final String key;
    private final String defaultValue;

    HostKey(String key, String defaultValue) {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    static Optional<HostKey> byCanonical(String canonical) {
        for (HostKey hostKey : values()) {
            if (PluginConfig.canonical(hostKey.key).equals(canonical)) {
                return Optional.of(hostKey);
            }
        }
        return Optional.empty();
    }
}
