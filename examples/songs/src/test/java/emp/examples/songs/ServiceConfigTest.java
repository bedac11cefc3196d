package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
    @Test
    void aLeafServiceNeedsNothing() {
        ServiceConfig config = ServiceConfig.fromEnvironment("users", Map.of());

        assertThat(config.kind()).isEqualTo(ServiceKind.USERS);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(ServiceConfig.DEFAULT_PORT);
        assertThat(config.serviceName()).isEqualTo("songs-users");
        assertThat(config.dependencies()).isEmpty();
        assertThat(config.knobs()).isEqualTo(Knobs.NONE);
    }

    @Test
    void readsWhatEmpInjects() {
        ServiceConfig config = ServiceConfig.fromEnvironment(
                "playlists",
                Map.of(
                        "PORT", "41234",
                        "EMP_SERVICE_NAME", "alice/playlists",
                        "SONGS_URL", "http://127.0.0.1:8080/alice/songs/",
                        "USERS_URL", "http://127.0.0.1:8080/alice/users",
                        "WORK_LATENCY_MS", "5"));

        assertThat(config.port()).isEqualTo(41234);
        assertThat(config.serviceName()).isEqualTo("alice/playlists");
        // Only what it calls; the trailing slash goes, so "/?ids=1" appends cleanly.
        assertThat(config.dependencies())
                .isEqualTo(Map.of(ServiceKind.SONGS, URI.create("http://127.0.0.1:8080/alice/songs")));
        assertThat(config.knobs().latency()).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void aMissingDependencyUrlSaysWhichAndWhereItComesFrom() {
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(
                        "aggregator",
                        Map.of(
                                "USERS_URL", "http://127.0.0.1:1/u",
                                "SONGS_URL", "http://127.0.0.1:1/s",
                                "AUTH_URL", "http://127.0.0.1:1/a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("service 'aggregator' calls 'playlists' but has no PLAYLISTS_URL; set it to the base URL"
                        + " of 'playlists' (EMP sets it from the app's 'dependencies')");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment("users", Map.of("PORT", "eighty")))
                .hasMessage("PORT is 'eighty'; expected a port number such as 8000");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment("users", Map.of("PORT", "70000")))
                .hasMessageStartingWith("PORT is '70000'");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment("playlists", Map.of("SONGS_URL", "songs:8080")))
                .hasMessage(
                        "SONGS_URL is 'songs:8080'; expected an http URL such as http://127.0.0.1:8080/alice/songs");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment("radio", Map.of()))
                .hasMessage("there is no service 'radio'; choose one of users, songs, playlists, auth, aggregator");
    }
}
