package emp.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The one exception type that crosses the SPI. Its message is written for a person: it says what was wrong and what
 * to do, with the offending id or field quoted. The category decides how the control API answers.
 */
public class PlatformException extends RuntimeException {
    private final ErrorCategory category;
    private final String field;

    public PlatformException(ErrorCategory category, String message) {
        this(category, null, message, null);
    }

    public PlatformException(ErrorCategory category, String message, Throwable cause) {
        this(category, null, message, cause);
    }

    /**
     * @param field the request field the error is about, in the spec's own spelling (e.g. {@code quality_metrics[0].values}), or null
     */
    public PlatformException(ErrorCategory category, String field, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.category = requireNonNull(category, "category is null");
        this.field = field;
    }

    public static PlatformException invalid(String field, String message) {
        return new PlatformException(ErrorCategory.INVALID, field, message, null);
    }

    public static PlatformException notFound(String message) {
        return new PlatformException(ErrorCategory.NOT_FOUND, message);
    }

    public static PlatformException forbidden(String message) {
        return new PlatformException(ErrorCategory.FORBIDDEN, message);
    }

    public static PlatformException conflict(String message) {
        return new PlatformException(ErrorCategory.CONFLICT, message);
    }

    public static PlatformException unsupported(String field, String message) {
        return new PlatformException(ErrorCategory.UNSUPPORTED, field, message, null);
    }

    public static PlatformException unavailable(String message, Throwable cause) {
        return new PlatformException(ErrorCategory.UNAVAILABLE, message, cause);
    }

    public ErrorCategory category() {
        return category;
    }

    /** The request field this error is about, when it is about one. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
