package emp.host.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import emp.host.TestServer;
import emp.host.plugin.PluginHost;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's view of the store, over the real file store, with a second store object over the same file writing as
 * another server would: what it writes is seen within a bound, a conflicting write still fails and the next attempt
 * sees what won, a deleted token is forgotten, and the tokens held stay within their bound.
 */
class CachedStoreTest {
    @TempDir
    Path dir;

    private PluginHost plugins;
    private StateStore backend;
    private StateStore other;
    private CachedStore cached;

    @BeforeEach
    void open() {
        plugins = new PluginHost(TestServer.pluginsDir());
        plugins.load();
        backend = TestServer.fileStore(plugins, dir);
        other = TestServer.fileStore(plugins, dir);
        cached = CachedStore.over(backend, Set.of("apps"), Set.of("tokens"), 10);
    }

    @AfterEach
    void close() {
        cached.close();
        other.close();
        backend.close();
        plugins.close();
    }

    @Test
    void itsOwnWritesAreReadAtOnceAndAnotherServersWithinABound() {
        cached.commit(Write.create("apps", "alice/one", "1"));
        assertThat(cached.get("apps", "alice/one")).map(Entry::value).contains("1");

        other.commit(Write.create("apps", "alice/two", "2"));
        other.commit(Write.create("apps", "bob/three", "3"));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> cached.list("apps", "alice/").size() == 2);
        assertThat(cached.list("apps", "alice/")).extracting(Entry::key).containsExactly("alice/one", "alice/two");
        assertThat(cached.list("apps")).extracting(Entry::key).containsExactly("alice/one", "alice/two", "bob/three");
    }

    @Test
    void aConflictingWriteStillFailsAndTheNextAttemptSeesWhatWon() {
        long version = cached.commit(Write.create("apps", "k", "mine"));
        other.commit(Write.update("apps", "k", "theirs", version));

        // Before the change is told, the held entry is the old one: a write from it conflicts, and reads it again.
        assertThatThrownBy(() -> cached.commit(Write.update("apps", "k", "stale", version)))
                .isInstanceOf(VersionConflictException.class);
        Entry now = cached.get("apps", "k").orElseThrow();
        assertThat(now.value()).isEqualTo("theirs");
        cached.commit(Write.update("apps", "k", "mine again", now.version()));
        assertThat(other.get("apps", "k")).map(Entry::value).contains("mine again");
    }

    @Test
    void aTokenDeletedByAnotherServerIsForgottenAndTheTokensHeldStayWithinTheirBound() {
        other.commit(Write.create("tokens", "t", "{}"));
        assertThat(cached.get("tokens", "t")).isPresent();

        other.commit(Write.delete("tokens", "t", Write.ANY));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> cached.get("tokens", "t").isEmpty());
        for (int i = 0; i < 50; i++) {
            other.commit(Write.create("tokens", "t" + i, "{}"));
            assertThat(cached.get("tokens", "t" + i)).isPresent();
        }
        assertThat(cached.get("tokens", "unknown")).isEmpty();
        assertThat(cached.check().detail()).containsPattern("tokens ([0-9]|10)$");
    }
}
