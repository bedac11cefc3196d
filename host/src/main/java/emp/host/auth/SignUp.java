package emp.host.auth;

/**
 * The body of account creation: a username and a password, and what lets the account in where sign-up is not open.
 *
 * @param invite     an invite code an operator issued, where sign-up takes invites
 * @param setupToken the one-time token the server printed at its start, to make the platform's first account (its
 *                   operator) from another machine than the server's
 */
public record SignUp(String username, String password, String invite, String setupToken) {
    /** The username and password, for the checks account creation shares with login. */
    Credentials credentials() {
        return new Credentials(username, password);
    }

    @Override
    public String toString() {
        return "SignUp[username=" + username + ", password=****, invite=" + (invite == null ? "none" : "****")
                + ", setupToken=" + (setupToken == null ? "none" : "****") + "]";
    }
}
