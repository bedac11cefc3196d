package emp.cli;

import static java.util.Objects.requireNonNull;

/** A username and password, as {@code create-account} and {@code login} send them. */
record Credentials(String username, String password) {
    Credentials {
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
    }

    /** The request body both {@code POST /v1/accounts} and {@code POST /v1/sessions} take. */
    String toJson() {
        return Json.compact(
                Json.MAPPER.createObjectNode().put("username", username).put("password", password));
    }
}
