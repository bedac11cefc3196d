package emp.host.auth;

/** Who a bearer token belongs to, and with what role it was issued. */
public record Caller(String username, Role role) {
    public boolean operator() {
        return role == Role.OPERATOR;
    }
}
