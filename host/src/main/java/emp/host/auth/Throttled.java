package emp.host.auth;

/** Too many attempts (failed logins for a username or from an address, live streams of a user): the caller is to wait, as {@code Retry-After} says. */
public final class Throttled extends RuntimeException {
    private final long retryAfterSeconds;

    public Throttled(String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
