package emp.gateway;

import java.time.Duration;

/** What went wrong with each replica a request tried, in words, for the 502's message and the gateway's span. */
final class ReplicaFailures {
    private final StringBuilder text = new StringBuilder();

    void add(Backend failed, String what) {
        if (!text.isEmpty()) {
            text.append("; ");
        }
        text.append("replica '")
                .append(failed.id())
                .append("' at ")
                .append(ProxyHeaders.authority(failed.address()))
                .append(' ')
                .append(what);
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** An exception's message, or its kind when it has none. */
    static String describe(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** {@code 30 s}, or {@code 1500 ms} when not whole seconds. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
