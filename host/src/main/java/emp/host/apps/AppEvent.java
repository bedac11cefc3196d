package emp.host.apps;

import java.time.Instant;

/**
 * One line of an app's event log.
 *
 * @param seq     its place in the log
 * @param time    when it happened
 * @param type    {@code deploy}, {@code scale}, {@code stop}, {@code start}, {@code metrics}, {@code ready},
 *                {@code crash}, {@code restart}, {@code error}
 * @param message what happened, in words
 */
public record AppEvent(long seq, Instant time, String type, String message) {}
