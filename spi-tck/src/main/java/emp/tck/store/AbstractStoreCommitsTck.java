package emp.tck.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.store.Entry;
import emp.spi.store.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The state-store kit's suite of commits of several writes: each write's new version returned in order, all applied
 * or none (a stale write or check anywhere refuses the whole commit and writes nothing), a failed commit leaves the
 * store usable, and checks ({@link Write#check}) that guard a commit without changing anything. The suite does not
 * cover two writes to the same entry within one commit.
 *
 * <p>A store's test runs it with a subclass that says how to make a fresh store ({@link #newStore()}).
 */
public abstract class AbstractStoreCommitsTck extends AbstractStateStoreSuite {
    @Test
    void emptyCommitReturnsNoVersions() {
        assertThat(store.commit(List.of())).isEmpty();
    }

    @Test
    void commitReturnsTheNewVersionOfEachWriteInOrder() {
        store.commit(Write.create(APPS, "updated", "v1"));
        store.commit(Write.update(APPS, "updated", "v2", 1));
        store.commit(Write.create(APPS, "deleted", "v1"));
        store.commit(Write.create(ACCOUNTS, "overwritten", "v1"));

        List<Long> versions = store.commit(List.of(
                Write.create(APPS, "created", "new"),
                Write.update(APPS, "updated", "v3", 2),
                Write.delete(APPS, "deleted", 1),
                Write.update(ACCOUNTS, "overwritten", "v2", Write.ANY),
                Write.delete(ACCOUNTS, "never", Write.ABSENT)));

        assertThat(versions).containsExactly(1L, 3L, 0L, 2L, 0L);
        assertThat(store.list(APPS))
                .containsExactly(new Entry(APPS, "created", "new", 1), new Entry(APPS, "updated", "v3", 3));
        assertThat(store.list(ACCOUNTS)).containsExactly(new Entry(ACCOUNTS, "overwritten", "v2", 2));
    }

    @Test
    void commitWithOneStaleWriteAppliesNone() {
        store.commit(Write.create(APPS, "a", "a1"));
        store.commit(Write.create(APPS, "b", "b1"));
        store.commit(Write.update(APPS, "b", "b2", 1));
        store.commit(Write.create(APPS, "d", "d1"));
        List<Entry> before = store.list(APPS);

        assertConflict(
                () -> store.commit(List.of(
                        Write.update(APPS, "a", "a2", 1),
                        Write.create(APPS, "c", "c1"),
                        Write.delete(APPS, "d", 1),
                        Write.update(ACCOUNTS, "x", "x1", Write.ANY),
                        Write.update(APPS, "b", "stale", 1))),
                APPS,
                "b");

        assertThat(store.list(APPS)).isEqualTo(before);
        assertThat(store.list(ACCOUNTS)).isEmpty();
    }

    @Test
    void commitWhoseFirstWriteIsStaleAppliesNone() {
        store.commit(Write.create(APPS, "a", "a1"));

        assertConflict(
                () -> store.commit(List.of(Write.create(APPS, "a", "again"), Write.create(APPS, "b", "b1"))),
                APPS,
                "a");

        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "a", "a1", 1));
    }

    @Test
    void failedCommitLeavesTheStoreUsable() {
        store.commit(Write.create(APPS, "a", "a1"));
        assertConflict(
                () -> store.commit(List.of(Write.create(APPS, "b", "b1"), Write.create(APPS, "a", "a2"))), APPS, "a");

        assertThat(store.commit(List.of(Write.create(APPS, "b", "b1"), Write.update(APPS, "a", "a2", 1))))
                .containsExactly(1L, 2L);
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "a", "a2", 2), new Entry(APPS, "b", "b1", 1));
    }

    @Test
    void checkAtTheCurrentVersionLetsTheCommitThroughAndChangesNothing() {
        store.commit(Write.create(LEASES, "leader", "server-a"));

        List<Long> versions = store.commit(
                List.of(Write.check(LEASES, "leader", 1), Write.create(APPS, "a", "a1"), Write.check(LEASES, "x", 0)));

        assertThat(versions).containsExactly(1L, 1L, 0L);
        assertThat(store.get(LEASES, "leader")).contains(new Entry(LEASES, "leader", "server-a", 1));
        assertThat(store.list(LEASES)).hasSize(1);
        assertThat(store.get(APPS, "a")).isPresent();
    }

    @Test
    void staleCheckRefusesTheWholeCommit() {
        store.commit(Write.create(LEASES, "leader", "server-a"));
        store.commit(Write.update(LEASES, "leader", "server-b", 1));

        assertConflict(
                () -> store.commit(List.of(Write.create(APPS, "a", "a1"), Write.check(LEASES, "leader", 1))),
                LEASES,
                "leader");
        assertConflict(() -> store.commit(List.of(Write.check(LEASES, "leader", Write.ABSENT))), LEASES, "leader");
        assertConflict(() -> store.commit(List.of(Write.check(LEASES, "gone", 3))), LEASES, "gone");

        assertThat(store.list(APPS)).isEmpty();
        assertThat(store.get(LEASES, "leader")).contains(new Entry(LEASES, "leader", "server-b", 2));
    }

    @Test
    void checkCannotCarryAValueOrExpectAnyVersion() {
        assertThatThrownBy(() -> Write.check(LEASES, "leader", Write.ANY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Write(LEASES, "leader", "v", 1, Write.Kind.CHECK))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
