package emp.host.apps;

import java.time.Instant;

/**
 * One line of an app's event log.
 *
 * @param seq     its place in the log
 * @param time    when it happened
 * @param type    what it is about, as {@link AppEventType#wire()} names it: {@code deploy}, {@code scale},
 *                {@code ready}, {@code crash}...
 * @param message what happened, in words
 */
public record AppEvent(long seq, Instant time, String type, String message) {
    /**
     * The message of a change of replicas, {@code scaled NAME FROM -> TO by ACTOR[: REASON]}, which the dashboard reads
     * back to tell whom a scheduler blamed.
     *
     * @param actor  a username, {@code the platform}, or {@link #scheduler(String)}
     * @param reason why, already cut to size; null or blank for none
     */
    public static String scaled(String name, int from, int to, String actor, String reason) {
        return "scaled " + name + " " + from + " -> " + to + " by " + actor
                + (reason == null || reason.isBlank() ? "" : ": " + reason);
    }

    /** How a scheduler is named as the actor of a change. */
    public static String scheduler(String name) {
        return "scheduler " + name;
    }
}
