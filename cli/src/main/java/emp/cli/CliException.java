package emp.cli;

import static java.util.Objects.requireNonNull;

/**
 * A failure the {@code emp} command reports to a person: its message goes to stderr as {@code emp: error: ...}
 * (each further line of the message as {@code emp: ...}) and the command exits with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {
    /** A request the server refused (4xx), a local mistake, or a wait that ran out. */
    public static final int USER_ERROR = 1;
    /** The server could not be reached; the same code picocli uses for usage errors. */
    public static final int UNREACHABLE = 2;
    /** The server failed (5xx). */
    public static final int SERVER_ERROR = 3;

    private final int exitCode;

    public CliException(String message, int exitCode) {
        super(requireNonNull(message, "message is null"));
        this.exitCode = exitCode;
    }

    public CliException(String message, int exitCode, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.exitCode = exitCode;
    }

    /** A user error (exit code 1). */
    public static CliException user(String message) {
        return new CliException(message, USER_ERROR);
    }

    public int exitCode() {
        return exitCode;
    }
}
