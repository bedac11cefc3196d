package emp.examples.songs;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The five services of the songs system, and whom each one calls. */
public enum ServiceKind {
    USERS,
    SONGS,
    PLAYLISTS,
    AUTH,
    AGGREGATOR;

    /** The name used on the command line, in {@code stack.json} and in {@code <NAME>_URL}: {@code playlists}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The environment variable that holds this service's base URL for its callers: {@code PLAYLISTS_URL}. */
    public String urlVariable() {
        return name() + "_URL";
    }

    /** The services this one calls on every request: aggregator calls all four others, playlists calls songs. */
    public List<ServiceKind> dependencies() {
        return switch (this) {
            case AGGREGATOR -> List.of(USERS, SONGS, PLAYLISTS, AUTH);
            case PLAYLISTS -> List.of(SONGS);
            case USERS, SONGS, AUTH -> List.of();
        };
    }

    /**
     * The service named {@code id}, e.g. {@code songs}.
     *
     * @throws IllegalArgumentException naming the choices when there is no such service
     */
    public static ServiceKind of(String id) {
        for (ServiceKind kind : values()) {
            if (kind.id().equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("there is no service '" + id + "'; choose one of "
                + Arrays.stream(values()).map(ServiceKind::id).collect(Collectors.joining(", ")));
    }
}
