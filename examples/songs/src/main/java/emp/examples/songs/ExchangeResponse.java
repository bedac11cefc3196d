package emp.examples.songs;

import brave.http.HttpServerResponse;

/** Brave's view of the answer the JDK's HTTP server sent. */
final class ExchangeResponse extends HttpServerResponse {
    private final ExchangeRequest request;
    private final int status;
    private final String route;
    private final Throwable error;

    /**
     * @param route the route template matched, which names the span; empty when no route matched
     * @param error what went wrong inside the service, or null
     */
    ExchangeResponse(ExchangeRequest request, int status, String route, Throwable error) {
        this.request = request;
        this.status = status;
        this.route = route;
        this.error = error;
    }

    @Override
    public Object unwrap() {
        return request.unwrap();
    }

    @Override
    public ExchangeRequest request() {
        return request;
    }

    @Override
    public int statusCode() {
        return status;
    }

    @Override
    public String route() {
        return route;
    }

    @Override
    public Throwable error() {
        return error;
    }
}
