package emp.spi;

import static java.util.Objects.requireNonNull;

/**
 * Names one app across EMP: its owner's username and its name, which is unique per owner. Its string form,
 * {@code owner/name}, is the service name the app's spans carry ({@code EMP_SERVICE_NAME}).
 */
public record AppRef(String owner, String name) {
    public AppRef {
        requireNonNull(owner, "owner is null");
        requireNonNull(name, "name is null");
    }

    /** Parses {@code owner/name}. */
    public static AppRef parse(String serviceName) {
        AppRef app = parseOrNull(serviceName);
        if (app == null) {
            throw PlatformException.invalid(null, "'" + serviceName + "' is not an app reference; expected owner/name");
        }
        return app;
    }

    /**
     * Parses {@code owner/name}, or gives null when the text is not one: for callers that read many names, most of them
     * foreign (span service names), and would pay for an exception each.
     */
    public static AppRef parseOrNull(String serviceName) {
        int slash = serviceName.indexOf('/');
        if (slash <= 0 || slash == serviceName.length() - 1 || serviceName.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        return new AppRef(serviceName.substring(0, slash), serviceName.substring(slash + 1));
    }

    @Override
    public String toString() {
        return owner + "/" + name;
    }
}
