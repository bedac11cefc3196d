package emp.host.lead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.host.TestServer;
import emp.host.plugin.PluginHost;
import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers electing a leader through one real store (the file store plugin). Each has its own monotonic clock, set
 * by the test, and the test runs their rounds itself instead of waiting for their timers.
 */
class LeaderElectionTest {
    private static final Duration TTL = Duration.ofSeconds(6);
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dataDir;

    private PluginHost plugins;
    private StateStore store;
    private final AtomicLong clockA = new AtomicLong();
    private final AtomicLong clockB = new AtomicLong();
    private final AtomicInteger electedA = new AtomicInteger();
    private final AtomicInteger electedB = new AtomicInteger();
    private final List<LeaderElection> elections = new ArrayList<>();

    @BeforeEach
    void openStore() {
        plugins = new PluginHost(TestServer.pluginsDir());
        plugins.load();
        store = TestServer.fileStore(plugins, dataDir.resolve("store"));
    }

    @AfterEach
    void closeStore() {
        elections.forEach(LeaderElection::close);
        store.close();
        plugins.close();
    }

    private LeaderElection election(String id, StateStore on, AtomicLong clock, AtomicInteger elected) {
        LeaderElection election = new LeaderElection(
                on, id, "http://" + id + ":7070", TTL, Clock.systemUTC(), clock::get, elected::incrementAndGet);
        elections.add(election);
        return election;
    }

    @Test
    void theFirstServerLeadsAndTheOtherStandsBy() {
        LeaderElection a = election("a", store, clockA, electedA);
        LeaderElection b = election("b", store, clockB, electedB);

        a.round();
        b.round();

        assertThat(a.leads()).isTrue();
        assertThat(a.term()).isEqualTo(1);
        assertThat(electedA).hasValue(1);
        assertThat(b.leads()).isFalse();
        assertThat(electedB).hasValue(0);
        assertThat(b.leader()).map(Lease::server).contains("a");
        assertThat(b.describe()).contains("this server (b) stands by; a at http://a:7070 leads, term 1");
        assertThat(a.describe()).contains("this server (a) leads the control plane, term 1");
        // the leader's fenced write goes through; a server that stands by has no fence to give
        List<Write> fenced = new ArrayList<>(a.fence());
        fenced.add(Write.create("apps", "x", "1"));
        store.commit(fenced);
        assertThatThrownBy(b::fence).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(e.getMessage()).contains("(b) no longer leads", "a does");
        });
    }

    @Test
    void aLeaderThatStopsRenewingIsReplacedAfterATimeToLiveAndItsLateWritesAreRefused() {
        LeaderElection a = election("a", store, clockA, electedA);
        LeaderElection b = election("b", store, clockB, electedB);
        a.round();
        List<Write> staleFence = a.fence();

        // a renews every 2 s while b watches; b never takes over while the lease changes
        for (int second = 0; second <= 12; second += 2) {
            clockA.set(second * SECOND);
            clockB.set(second * SECOND);
            a.round();
            b.round();
        }
        assertThat(b.leads()).isFalse();

        // a stops (frozen, or dead): b takes over once the lease has not changed for 6 s on b's clock
        clockB.set(17 * SECOND);
        b.round();
        assertThat(b.leads()).as("5 s without renewal").isFalse();
        clockB.set(18 * SECOND);
        b.round();
        assertThat(b.leads()).as("6 s without renewal").isTrue();
        assertThat(b.term()).isEqualTo(2);
        assertThat(electedB).hasValue(1);

        // what a still writes with its old fence is refused, and nothing of it is stored
        List<Write> late = new ArrayList<>(staleFence);
        late.add(Write.create("apps", "late", "from a"));
        assertThatThrownBy(() -> store.commit(late))
                .isInstanceOfSatisfying(
                        VersionConflictException.class, e -> assertThat(e.key()).isEqualTo("term"));
        assertThat(store.get("apps", "late")).isEmpty();

        // a wakes up: its next round sees b's lease and it stops leading
        clockA.set(19 * SECOND);
        a.round();
        assertThat(a.leads()).isFalse();
        assertThat(a.describe()).contains("b at http://b:7070 leads, term 2");
    }

    @Test
    void aLeaderThatCannotReachTheStoreStopsLeadingByItselfAndLeadsAgainWhenItCan() {
        FlakyStore flaky = new FlakyStore(store);
        LeaderElection a = election("a", flaky, clockA, electedA);
        a.round();
        assertThat(a.leads()).isTrue();

        flaky.away = true;
        clockA.set(3 * SECOND);
        a.round();
        assertThat(a.leads()).as("within the time to live").isTrue();
        clockA.set(6 * SECOND);
        a.round();
        assertThat(a.leads()).as("another server may have taken over by now").isFalse();
        assertThat(a.describe()).contains("the store is away");

        flaky.away = false;
        clockA.set(7 * SECOND);
        a.round();
        assertThat(a.leads()).isTrue();
        assertThat(a.term()).as("a new term").isEqualTo(2);
        assertThat(electedA).hasValue(2);
    }

    @Test
    void aRestartedServerTakesItsOwnLeaseBackAtOnce() {
        LeaderElection before = election("a", store, clockA, electedA);
        before.round();
        // killed: it gives nothing up

        LeaderElection after = election("a", store, clockB, electedB);
        after.round();

        assertThat(after.leads()).isTrue();
        assertThat(after.term()).isEqualTo(2);
    }

    @Test
    void aLeaderThatClosesGivesTheLeaseUpSoAnotherTakesOverAtOnce() {
        LeaderElection a = election("a", store, clockA, electedA);
        LeaderElection b = election("b", store, clockB, electedB);
        a.round();
        b.round();

        a.close();
        b.round();

        assertThat(b.leads()).isTrue();
        assertThat(store.get(LeaderElection.LEASES, LeaderElection.LEADER))
                .map(Entry::value)
                .hasValueSatisfying(value -> assertThat(value).contains("\"server\":\"b\""));
    }

    /** A store that can be made unreachable, as a Redis that went away makes its store. */
    private static final class FlakyStore implements StateStore {
        private final StateStore store;
        volatile boolean away;

        FlakyStore(StateStore store) {
            this.store = store;
        }

        private void reach() {
            if (away) {
                throw PlatformException.unavailable("the store is away", null);
            }
        }

        @Override
        public void start() {}

        @Override
        public Optional<Entry> get(String collection, String key) {
            reach();
            return store.get(collection, key);
        }

        @Override
        public List<Entry> list(String collection) {
            reach();
            return store.list(collection);
        }

        @Override
        public List<Long> commit(List<Write> writes) {
            reach();
            return store.commit(writes);
        }

        @Override
        public long append(String log, String value, int maxLength) {
            reach();
            return store.append(log, value, maxLength);
        }

        @Override
        public List<LogRecord> read(String log, long afterSequence, int limit) {
            reach();
            return store.read(log, afterSequence, limit);
        }

        @Override
        public List<LogRecord> tail(String log, int limit) {
            reach();
            return store.tail(log, limit);
        }

        @Override
        public void deleteLog(String log) {
            reach();
            store.deleteLog(log);
        }

        @Override
        public Health check() {
            return away ? Health.unhealthy("away") : store.check();
        }

        @Override
        public void close() {}
    }
}
