package emp.examples.songs;

import brave.http.HttpClientResponse;

/** Brave's view of what came back for a {@link JdkClientRequest}: a status, or the error that prevented one. */
final class JdkClientResponse extends HttpClientResponse {
    private final JdkClientRequest request;
    private final int status;
    private final Throwable error;

    /**
     * @param status the HTTP status, or 0 when no answer came
     * @param error  why no answer came, or null
     */
    JdkClientResponse(JdkClientRequest request, int status, Throwable error) {
        this.request = request;
        this.status = status;
        this.error = error;
    }

    @Override
    public Object unwrap() {
        return request.unwrap();
    }

    @Override
    public JdkClientRequest request() {
        return request;
    }

    @Override
    public int statusCode() {
        return status;
    }

    @Override
    public Throwable error() {
        return error;
    }
}
