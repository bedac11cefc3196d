package emp.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What {@code emp} remembers between calls, in {@code $EMP_HOME/config}: the server it talks to and the session
 * that {@code emp login} opened. Every field may be null.
 *
 * @param server   the server's base URL, e.g. {@code http://127.0.0.1:7070}
 * @param username who logged in
 * @param token    the bearer token of the session
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CliConfig(String server, String username, String token) {
    public static final CliConfig EMPTY = new CliConfig(null, null, null);

    public CliConfig withSession(String newServer, String newUsername, String newToken) {
        return new CliConfig(newServer, newUsername, newToken);
    }

    /** The same server and user, without the token: what {@code emp logout} leaves. */
    public CliConfig withoutToken() {
        return new CliConfig(server, username, null);
    }
}
