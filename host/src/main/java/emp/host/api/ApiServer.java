package emp.host.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import emp.host.JsonCodec;
import emp.host.metrics.ApiMetricsFilter;
import emp.spi.PlatformException;
import jakarta.ws.rs.ext.ContextResolver;
import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.jetty.JettyHttpContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The control API: Jersey on Jetty, JSON through the host's one mapping, every error a problem document. (Not Grizzly: it
 * takes a request carrying {@code Upgrade: h2c}, which the JDK's HTTP client sends by default, as an upgraded
 * connection and waits forever for its body.)
 */
public final class ApiServer implements AutoCloseable {
    /** How long a connection may stay silent, mid-request or between requests, before it is closed. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final URI baseUri;
    private final ResourceConfig application;
    private Server server;

    public ApiServer(URI baseUri, ApiServices services) {
        this.baseUri = baseUri;
        this.application = application(services);
    }

    /** The Jersey application with every route of the API; also what the OpenAPI test reads. */
    public static ResourceConfig application(ApiServices services) {
        ResourceConfig config = new ResourceConfig();
        config.register(JacksonFeature.withoutExceptionMappers());
        config.register(new ContextResolver<ObjectMapper>() {
            @Override
            public ObjectMapper getContext(Class<?> type) {
                return JsonCodec.MAPPER;
            }
        });
        config.register(new PlatformExceptionMapper());
        config.register(new WebApplicationExceptionMapper());
        config.register(new UnexpectedExceptionMapper());
        config.register(new ThrottledMapper());
        config.register(new RequestBodyLimits());
        config.register(new RequestBodyDrainFilter());
        config.register(new SecurityHeadersFilter());
        if (services.metrics() != null) {
            config.register(new ApiMetricsFilter(services.metrics().registry()));
        }
        config.register(new BearerAuthFilter(services.accounts()));
        config.register(new AccountsResource(services.accounts()));
        config.register(new SessionsResource(services.accounts()));
        config.register(new OperatorResource(services.accounts(), services.apps()));
        config.register(new AppsResource(services.apps(), services.tracing()));
        config.register(new ReleasesResource(services.apps()));
        config.register(new PluginsResource(services.plugins()));
        config.register(new HealthResource(services.checks(), services.version()));
        config.register(new SpansResource(services.spans()));
        config.register(new OpenApiResource());
        config.register(new UiSessionResource(services.accounts()));
        config.register(new UiResource());
        config.register(new StreamResource(services.streams(), services.apps()));
        config.register(new MetricsResource(services.metrics(), services.appMetrics(), services.accounts()));
        config.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        config.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        return config;
    }

    public void start() {
        server = JettyHttpContainerFactory.createServer(baseUri, application, false);
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector listening) {
                // Jersey's factory sets the port alone, and so would listen on every interface.
                String host = baseUri.getHost();
                listening.setHost(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
                // A client that sends no whole request (headers or body) in this long loses its connection.
                listening.setIdleTimeout(IDLE_TIMEOUT.toMillis());
            }
        }
        server.setErrorHandler(new ProblemErrorHandler());
        try {
            server.start();
        } catch (Exception e) {
            throw PlatformException.invalid(
                    "api.port",
                    "cannot listen on " + baseUri.getHost() + ":" + baseUri.getPort() + " for the API ("
                            + e.getMessage()
                            + "); is another server running there? choose another port with --api-port");
        }
    }

    public URI baseUri() {
        return baseUri;
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("the API server did not stop: " + e.getMessage(), e);
            }
        }
    }
}
