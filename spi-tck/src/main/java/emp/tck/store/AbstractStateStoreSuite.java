package emp.tck.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every suite of the state-store conformance kit needs: a fresh store per test, started before it and closed
 * after it. The kit is one suite per part of the {@link StateStore} contract; every store (the embedded file store,
 * Redis, ...) runs each of them unchanged, through a subclass of a few lines that says how to make a fresh store:
 * <ul>
 *   <li>{@link AbstractStoreEntriesTck}: reading entries, their values, and compare-and-set of one entry;</li>
 *   <li>{@link AbstractStoreCommitsTck}: commits of several writes and checks, applied whole or not at all;</li>
 *   <li>{@link AbstractStoreLogsTck}: append-only logs (append, read, tail, trimming, delete);</li>
 *   <li>{@link AbstractStoreConcurrencyTck}: threads contending on one store object;</li>
 *   <li>{@link AbstractStoreLifecycleTck}: a restart, several store objects over the same data, health; its
 *       subclass also says how to open the same data again.</li>
 * </ul>
 * A store with a change feed also runs {@link AbstractChangeFeedTck}. One test class per store can hold a JUnit
 * {@code @Nested} subclass of each suite, so that all of them share its set-up and clean-up.
 *
 * <p>This class has no tests of its own: extend the suites.
 */
public abstract class AbstractStateStoreSuite {
    static final String APPS = "apps";
    static final String ACCOUNTS = "accounts";
    static final String LEASES = "leases";

    /** The store under test, started. */
    protected StateStore store;

    private final List<StateStore> opened = new ArrayList<>();

    /**
     * A fresh, empty store, configured but not started; the kit starts and closes it. Called once per test.
     */
    protected abstract StateStore newStore();

    @BeforeEach
    void startStore() {
        store = started(newStore());
    }

    @AfterEach
    void closeStores() {
        for (StateStore each : opened) {
            each.close();
        }
        opened.clear();
    }

    /** Starts {@code fresh}, which the test made, and closes it after the test. */
    StateStore started(StateStore fresh) {
        assertThat(fresh).as("the store the test made").isNotNull();
        opened.add(fresh);
        fresh.start();
        return fresh;
    }

    /** Closes the store under test now, as a server that stops. */
    void closeStore() {
        store.close();
        opened.remove(store);
    }

    /** Asserts that {@code call} fails with a {@link VersionConflictException} about {@code collection/key}. */
    protected static void assertConflict(Runnable call, String collection, String key) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(VersionConflictException.class, conflict -> {
            assertThat(conflict.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(conflict.collection()).isEqualTo(collection);
            assertThat(conflict.key()).isEqualTo(key);
            assertThat(conflict.getMessage()).contains("'" + collection + "/" + key + "'");
        });
    }

    /** Appends {@code record 1} to {@code record <count>} to the log, checking that each is numbered as it should. */
    void appendNumbered(String log, int count, int maxLength) {
        for (int i = 1; i <= count; i++) {
            assertThat(store.append(log, "record " + i, maxLength)).isEqualTo(i);
        }
    }

    static List<Long> sequences(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().collect(Collectors.toList());
    }

    /** A value of {@code chars} characters mixing ASCII, two- and three-byte characters and surrogate pairs. */
    static String largeValue(int chars) {
        String pattern = "EMP stores JSON; Grüße 世界 🎵 0123456789 \"quoted\" \\ end.\n";
        StringBuilder value = new StringBuilder(chars + pattern.length());
        int line = 0;
        while (value.length() < chars) {
            value.append(line++).append(' ').append(pattern);
        }
        value.setLength(chars);
        if (Character.isHighSurrogate(value.charAt(chars - 1))) {
            value.setCharAt(chars - 1, 'x');
        }
        return value.toString();
    }
}
