package emp.host.api;

import emp.host.apps.AppService;
import emp.host.dashboard.LiveStreams;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code /v1/stream}: the caller's apps, service graph and, with {@code app}, one app's view, history and events, as
 * Server-Sent Events sent whenever they change ({@link LiveStreams}). The caller's own apps only, like every route
 * under {@code /v1/apps}; another user's app is answered 404, as one that does not exist.
 */
@Path("/v1/stream")
@Authenticated
public final class StreamResource {
    private final LiveStreams streams;
    private final AppService apps;

    StreamResource(LiveStreams streams, AppService apps) {
        this.streams = streams;
        this.apps = apps;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(
            @QueryParam("app") String app,
            @Context SecurityContext security,
            @Context ContainerRequestContext request,
            @Context SseEventSink sink,
            @Context Sse sse) {
        String owner = security.getUserPrincipal().getName();
        // Before the stream starts, so that an unknown app is a plain 404 rather than an event.
        String appId =
                app == null || app.isBlank() ? null : apps.get(owner, app).id();
        streams.open(owner, (String) request.getProperty(BearerAuthFilter.TOKEN_PROPERTY), appId, sink, sse);
    }
}
