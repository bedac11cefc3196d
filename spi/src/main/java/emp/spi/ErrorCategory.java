package emp.spi;

/**
 * What kind of failure a {@link PlatformException} reports; the control API maps each category to an HTTP status.
 */
public enum ErrorCategory {
    /** The request was wrong: a bad field, a bad value (400). */
    INVALID,
    /** The caller is not who they say, or their token is no longer good (401). */
    UNAUTHENTICATED,
    /**
     * The caller is known but may not do this: an operator's action asked by another user, spans sent for an app the
     * credential is not for (403).
     *
     * @since 0.1
     */
    FORBIDDEN,
    /** The thing asked for does not exist, or belongs to someone else (404). */
    NOT_FOUND,
    /** The request clashes with the current state: a duplicate name, a stale version (409). */
    CONFLICT,
    /** The request is well formed but this backend cannot do it, e.g. a docker image on the local cluster (422). */
    UNSUPPORTED,
    /** A backend (store, cluster, broker) cannot be reached right now; retrying later may work (503). */
    UNAVAILABLE,
    /** A bug or an unexpected state inside EMP or a plugin (500). */
    INTERNAL
}
