package emp.host.api;

import emp.host.auth.AccountService;
import emp.host.auth.Caller;
import emp.host.metrics.AppMetrics;
import emp.host.metrics.PlatformMetrics;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * {@code /metrics}: the platform's figures in Prometheus' text format (or its protobuf format, when the scraper asks
 * for it). Anyone may read the platform's own, which name no app; with an operator's token or scrape token
 * ({@code Authorization: Bearer TOKEN}; {@code POST /v1/scrape-tokens}) the answer adds every app's figures
 * ({@link AppMetrics}). Another user's token is refused (403): per-app figures name every tenant's apps.
 */
@Path("/metrics")
public final class MetricsResource {
    private final PlatformMetrics platform;
    private final AppMetrics apps;
    private final AccountService accounts;

    MetricsResource(PlatformMetrics platform, AppMetrics apps, AccountService accounts) {
        this.platform = platform;
        this.apps = apps;
        this.accounts = accounts;
    }

    @GET
    public Response scrape(
            @HeaderParam(HttpHeaders.ACCEPT) String accept,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        boolean perApp = false;
        if (authorization != null) {
            Caller caller = accounts.authenticateScrape(BearerAuthFilter.token(authorization));
            if (!caller.operator()) {
                throw new PlatformException(
                        ErrorCategory.FORBIDDEN,
                        "per-app figures are for the platform's operators only; scrape /metrics without a token for"
                                + " the platform's own figures");
            }
            perApp = true;
        }
        String format = PlatformMetrics.format(accept);
        return Response.ok(platform.scrape(format, perApp ? apps : null))
                .type(format)
                .build();
    }
}
