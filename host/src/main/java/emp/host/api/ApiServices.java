package emp.host.api;

import emp.host.apps.AppService;
import emp.host.auth.AccountService;
import emp.host.dashboard.LiveStreams;
import emp.host.metrics.AppMetrics;
import emp.host.metrics.PlatformMetrics;
import emp.host.plugin.PluginAdmin;
import emp.host.tracing.SpanGate;
import emp.host.tracing.TracingService;
import emp.spi.Health;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the control API serves from.
 *
 * @param accounts     accounts and sessions
 * @param apps         apps
 * @param tracing      apps' tracing figures
 * @param plugins      the loaded plugins, and what operators change of them
 * @param checks       the health checks of {@code /healthz}, by name
 * @param spans        Zipkin's {@code POST /api/v2/spans}, served while the trace source collects over HTTP
 * @param metrics      the platform's figures for {@code /metrics}, and what times the API's requests
 * @param appMetrics   each app's figures, for an operator's scrape
 * @param streams      the dashboard's live updates
 * @param version      the server's version
 */
public record ApiServices(
        AccountService accounts,
        AppService apps,
        TracingService tracing,
        PluginAdmin plugins,
        Map<String, Supplier<Health>> checks,
        SpanGate spans,
        PlatformMetrics metrics,
        AppMetrics appMetrics,
        LiveStreams streams,
        String version) {}
