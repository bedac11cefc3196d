package emp.tracing.http;

import emp.spi.PluginContext;
import emp.spi.tracing.TraceSource;
import emp.spi.tracing.TraceSourceFactory;
import org.pf4j.Extension;

/**
 * Makes the embedded HTTP trace collector, chosen by {@code tracing.use: http}. Its configuration section is
 * {@code tracing.http} (see {@link HttpTraceConfig}); apps send to the host's API port at
 * {@link HttpTraceSource#PATH}.
 */
@Extension
public final class HttpTraceSourceFactory implements TraceSourceFactory {
    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "Zipkin-compatible collector of POST /api/v2/spans (JSON v2, proto3) on the API port (the default;"
                + " nothing to set up)";
    }

    /** Binds {@code tracing.http}; does no I/O. */
    @Override
    public TraceSource create(PluginContext context) {
        return new HttpTraceSource(HttpTraceConfig.from(context.config()), context.apiUri(), context.clock());
    }
}
