package emp.spi;

import static java.util.Objects.requireNonNull;

import emp.spi.tracing.SpanSink;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the host hands a plugin's factory: everything the plugin may use of the platform. Immutable.
 *
 * @param pluginId the plugin's id, e.g. {@code cluster-local}
 * @param config   the plugin's configuration section, to be bound and checked at creation
 * @param dataDir  a folder of the plugin's own under the server's data folder; it may not exist yet
 * @param apiUri   the base URI of this server's control API, e.g. {@code http://127.0.0.1:7070}
 * @param clock    the clock to read time from, so tests can control it
 * @param spans    where a plugin reports spans it records itself (the local gateway's span per routed request);
 *                 the host aggregates them with the apps' own
 * @param state    small values the plugin keeps in the platform's state store, shared by every server (the state store
 *                 plugin's own context holds them in memory only)
 * @since 0.3 ({@code state})
 */
public record PluginContext(
        String pluginId,
        PluginConfig config,
        Path dataDir,
        URI apiUri,
        Clock clock,
        SpanSink spans,
        PluginState state) {
    public PluginContext {
        requireNonNull(pluginId, "pluginId is null");
        requireNonNull(config, "config is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(apiUri, "apiUri is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(spans, "spans is null");
        requireNonNull(state, "state is null");
    }

    /** A context whose state is kept in memory only: for tests and tools that run a plugin without a server. */
    public PluginContext(String pluginId, PluginConfig config, Path dataDir, URI apiUri, Clock clock, SpanSink spans) {
        this(pluginId, config, dataDir, apiUri, clock, spans, PluginState.inMemory());
    }

    /** A context whose reported spans go nowhere: for plugins and tests that record none. */
    public PluginContext(String pluginId, PluginConfig config, Path dataDir, URI apiUri, Clock clock) {
        this(pluginId, config, dataDir, apiUri, clock, spans -> {});
    }
}
