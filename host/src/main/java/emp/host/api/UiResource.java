package emp.host.api;

import emp.host.apps.TextField;
import emp.spi.PlatformException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code /ui/}: the dashboard's files, read once from the host's jar (the page, its script and style, and Apache
 * ECharts from its WebJar). Anyone may fetch them; what they show comes from the API behind the session. Every answer
 * forbids scripts from anywhere else, inline scripts and framing (the page has buttons worth tricking a user into).
 * {@code /} sends a browser here.
 */
@Path("/")
public final class UiResource {
    static final String ECHARTS_VERSION = "5.3.1";
    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";

    private record File(byte[] bytes, String type, String cacheControl) {}

    private final Map<String, File> files = Map.of(
            "index.html",
            read("/emp/host/ui/index.html", "text/html; charset=utf-8", "no-cache"),
            "app.js",
            read("/emp/host/ui/app.js", "text/javascript; charset=utf-8", "no-cache"),
            "app.css",
            read("/emp/host/ui/app.css", "text/css; charset=utf-8", "no-cache"),
            "vendor/echarts.min.js",
            read(
                    "/META-INF/resources/webjars/echarts/" + ECHARTS_VERSION + "/dist/echarts.min.js",
                    "text/javascript; charset=utf-8",
                    "public, max-age=86400"));

    @GET
    public Response root(@Context UriInfo uri) {
        return Response.seeOther(uri.getBaseUriBuilder().path("ui/").build()).build();
    }

    @GET
    @Path("ui")
    public Response page(@Context UriInfo uri) {
        // Without the slash, the page's relative links would point beside /ui, not into it.
        if (!uri.getRequestUri().getPath().endsWith("/")) {
            return Response.seeOther(uri.getBaseUriBuilder().path("ui/").build())
                    .build();
        }
        return serve("index.html");
    }

    @GET
    @Path("ui/{file: .+}")
    public Response file(@PathParam("file") String name) {
        return serve(name);
    }

    private Response serve(String name) {
        File file = files.get(name);
        if (file == null) {
            throw PlatformException.notFound(
                    "the dashboard has no file '" + TextField.shown(name) + "'; open /ui/ for the dashboard");
        }
        return Response.ok(file.bytes(), file.type())
                .header("Cache-Control", file.cacheControl())
                .header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .build();
    }

    private static File read(String resource, String type, String cacheControl) {
        try (InputStream in = UiResource.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the host's class path");
            }
            return new File(in.readAllBytes(), type, cacheControl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
