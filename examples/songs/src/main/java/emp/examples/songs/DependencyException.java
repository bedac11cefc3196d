package emp.examples.songs;

/** A service this one calls failed to answer usefully; the caller answers 502 with this message. */
final class DependencyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DependencyException(String message, Throwable cause) {
        super(message, cause);
    }
}
