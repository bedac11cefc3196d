package emp.host.auth;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an account may do: run its own apps, or also run the platform. */
public enum Role {
    /** Deploys and runs its own apps, and sees nothing of anyone else's. */
    USER,
    /** Also lists users, disables and enables them, issues invites, sees every app and reads the audit log. */
    OPERATOR;

    /** The name the API and the store use: {@code user}, {@code operator}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
