package emp.host.auth;

import emp.spi.PlatformException;
import java.util.Locale;

/**
 * Who may create an account once the platform has an operator ({@code accounts.signup}): anyone, whoever holds an
 * invite an operator issued, or nobody (operators make accounts through an invite of their own).
 */
public enum SignupPolicy {
    OPEN,
    INVITE,
    CLOSED;

    /** @throws PlatformException of category INVALID naming {@code key} when {@code value} is none of them */
    public static SignupPolicy parse(String key, String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PlatformException.invalid(key, "'" + key + "' is '" + value + "'; expected open, invite or closed");
        }
    }
}
