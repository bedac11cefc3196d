package emp.examples.songs;

import static java.util.Objects.requireNonNull;

/** A listener, as the users service answers it. */
public record User(int id, String name, String email, String country) {
    public User {
        requireNonNull(name, "name is null");
        requireNonNull(email, "email is null");
        requireNonNull(country, "country is null");
    }
}
