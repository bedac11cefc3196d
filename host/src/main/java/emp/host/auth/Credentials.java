package emp.host.auth;

/** The body of account creation and login. */
public record Credentials(String username, String password) {
    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=****]";
    }
}
