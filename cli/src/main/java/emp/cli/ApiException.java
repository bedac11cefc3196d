package emp.cli;

/**
 * An error answer of the EMP server, read from its {@code application/problem+json} body. The message is the
 * problem's {@code detail}, or its title and status when it has none; a 4xx exits with 1, a 5xx with 3.
 */
public final class ApiException extends CliException {
    private final int status;
    private final String field;

    public ApiException(int status, String message, String field) {
        super(message, status >= 500 ? SERVER_ERROR : USER_ERROR);
        this.status = status;
        this.field = field;
    }

    /** The HTTP status the server answered with. */
    public int status() {
        return status;
    }

    /** The request field the problem names, or null. */
    public String field() {
        return field;
    }
}
