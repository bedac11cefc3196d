package emp.tck.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The state-store kit's suite of single entries: reading (absent entries, order of {@link StateStore#list(String)},
 * collections and keys kept apart), values that round-trip exactly, and compare-and-set of one entry by version,
 * for create, update and delete.
 *
 * <p>Besides what {@link StateStore}, {@link Write} and {@link Entry} say, it fixes these points of the contract,
 * which every store must agree on so that the host can be moved from one store to another:
 * <ul>
 *   <li>{@link StateStore#list(String)} orders entries by key, comparing Unicode code points (what a byte
 *       comparison of UTF-8 gives; for keys of the Basic Multilingual Plane it is {@link String#compareTo}).</li>
 *   <li>A delete expecting {@link Write#ABSENT} of an entry that does not exist succeeds and changes nothing: the
 *       expectation is a condition on the current state ("must not exist"), and it holds. A delete with
 *       {@link Write#ANY} of an absent entry also succeeds. A delete expecting a version of an absent entry is a
 *       conflict. Each returns 0.</li>
 *   <li>A deleted entry created again starts at version 1.</li>
 *   <li>A {@link VersionConflictException} reports an absent entry as found at {@link Write#ABSENT}.</li>
 * </ul>
 * A store's test runs it with a subclass that says how to make a fresh store ({@link #newStore()}).
 */
public abstract class AbstractStoreEntriesTck extends AbstractStateStoreSuite {
    // ---- entries: reading

    @Test
    void getOfAnAbsentEntryIsEmpty() {
        assertThat(store.get(APPS, "nobody/nothing")).isEmpty();
    }

    @Test
    void listOfAnEmptyCollectionIsEmpty() {
        assertThat(store.list(APPS)).isEmpty();
    }

    @Test
    void createdEntryIsReadBackAtVersionOne() {
        long version = store.commit(Write.create(APPS, "alice/songs", "{\"replicas\":2}"));

        assertThat(version).isEqualTo(1);
        assertThat(store.get(APPS, "alice/songs")).contains(new Entry(APPS, "alice/songs", "{\"replicas\":2}", 1));
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "alice/songs", "{\"replicas\":2}", 1));
    }

    @Test
    void listIsOrderedByKey() {
        List<String> keys = List.of("b", "a/z", "a", "A", "a0", "a-b", "a b", "Z", "é", "日本", "10", "9", "_");
        for (String key : keys) {
            store.commit(Write.create(APPS, key, "value of " + key));
        }

        List<String> expected = new ArrayList<>(keys);
        Collections.sort(expected);
        assertThat(store.list(APPS)).extracting(Entry::key).containsExactlyElementsOf(expected);
        assertThat(store.list(APPS)).allSatisfy(entry -> {
            assertThat(entry.collection()).isEqualTo(APPS);
            assertThat(entry.value()).isEqualTo("value of " + entry.key());
            assertThat(entry.version()).isEqualTo(1);
        });
    }

    @Test
    void collectionsAreSeparateEvenWhenTheirNamesShareAPrefix() {
        store.commit(List.of(
                Write.create("app", "x", "in app"),
                Write.create(APPS, "x", "in apps"),
                Write.create("apps-archive", "x", "in apps-archive"),
                Write.create("apps:x", "y", "in apps:x"),
                Write.create("apps/x", "y", "in apps/x")));

        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "x", "in apps", 1));
        assertThat(store.list("app")).containsExactly(new Entry("app", "x", "in app", 1));
        assertThat(store.get("apps-archive", "x")).map(Entry::value).contains("in apps-archive");
        assertThat(store.get("apps/x", "y")).map(Entry::value).contains("in apps/x");
        assertThat(store.get("apps:x", "y")).map(Entry::value).contains("in apps:x");
        assertThat(store.get(APPS, "x/y")).isEmpty();
        assertThat(store.list("ap")).isEmpty();
    }

    @Test
    void keysWithSlashesUnicodeAndPatternCharactersAreKeptApart() {
        List<String> keys = List.of(
                "alice/songs",
                "alice/songs/v2",
                "alice",
                "日本/é",
                "emoji 🚀",
                "*",
                "a*",
                "?",
                "[a]",
                "%",
                "_",
                "'; DROP TABLE entries; --",
                "a:b",
                "back\\slash",
                "tab\tkey",
                " spaced ");
        for (String key : keys) {
            store.commit(Write.create(APPS, key, "value of " + key));
        }

        for (String key : keys) {
            assertThat(store.get(APPS, key)).as("key '%s'", key).contains(new Entry(APPS, key, "value of " + key, 1));
        }
        assertThat(store.list(APPS)).extracting(Entry::key).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(store.get(APPS, "alice/")).isEmpty();
        assertThat(store.get(APPS, "b")).isEmpty();
    }

    // ---- entries: values

    @Test
    void valuesRoundTripExactly() {
        Map<String, String> values = new HashMap<>();
        values.put("empty", "");
        values.put("unicode", "Grüße, 世界, Ελληνικά, עברית, emoji 🎵🚀 and a combining e\u0301");
        values.put("whitespace", "  leading and trailing\n\r\n\ttabs  ");
        values.put("json", "{\"name\":\"songs\",\"envs\":[{\"name\":\"A\",\"value\":\"\\\"quoted\\\"\"}]}");
        values.put("quotes", "it's \"quoted\" and back\\slashed; -- not a comment");
        values.put("large", largeValue(1 << 20));
        for (Map.Entry<String, String> value : values.entrySet()) {
            store.commit(Write.create(APPS, value.getKey(), value.getValue()));
        }

        for (Map.Entry<String, String> value : values.entrySet()) {
            Entry entry = store.get(APPS, value.getKey()).orElseThrow();
            assertThat(entry.value()).as("value '%s'", value.getKey()).isEqualTo(value.getValue());
        }
        assertThat(store.list(APPS)).extracting(Entry::value).containsExactlyInAnyOrderElementsOf(values.values());
    }

    @Test
    void emptyValueIsAnEntryNotADeletion() {
        store.commit(Write.create(APPS, "k", ""));

        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "", 1));
        assertThat(store.commit(Write.update(APPS, "k", "", 1))).isEqualTo(2);
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "k", "", 2));
    }

    @Test
    void largeValueCanBeReplaced() {
        String large = largeValue(1 << 20);
        store.commit(Write.create(APPS, "big", large));
        String other = "replaced: " + largeValue((1 << 20) + 17);

        assertThat(store.commit(Write.update(APPS, "big", other, 1))).isEqualTo(2);
        assertThat(store.get(APPS, "big").orElseThrow().value()).isEqualTo(other);
    }

    // ---- entries: compare-and-set

    @Test
    void updateWithTheCurrentVersionIncrementsIt() {
        store.commit(Write.create(APPS, "k", "v1"));

        assertThat(store.commit(Write.update(APPS, "k", "v2", 1))).isEqualTo(2);
        assertThat(store.commit(Write.update(APPS, "k", "v3", 2))).isEqualTo(3);
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "v3", 3));
    }

    @Test
    void updateWithAStaleVersionIsRefusedAndWritesNothing() {
        store.commit(Write.create(APPS, "alice/songs", "v1"));
        store.commit(Write.update(APPS, "alice/songs", "v2", 1));

        assertConflict(() -> store.commit(Write.update(APPS, "alice/songs", "stale", 1)), APPS, "alice/songs");
        assertConflict(() -> store.commit(Write.update(APPS, "alice/songs", "ahead", 3)), APPS, "alice/songs");
        assertThat(store.get(APPS, "alice/songs")).contains(new Entry(APPS, "alice/songs", "v2", 2));
    }

    @Test
    void conflictNamesTheEntryAndTheVersions() {
        store.commit(Write.create(ACCOUNTS, "bob", "v1"));

        assertThatThrownBy(() -> store.commit(Write.update(ACCOUNTS, "bob", "stale", 7)))
                .isInstanceOfSatisfying(VersionConflictException.class, conflict -> {
                    assertThat(conflict.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(conflict.collection()).isEqualTo(ACCOUNTS);
                    assertThat(conflict.key()).isEqualTo("bob");
                    assertThat(conflict.getMessage()).contains("'accounts/bob'", "expected version 7", "found 1");
                });
        assertThatThrownBy(() -> store.commit(Write.update(ACCOUNTS, "carol", "new", 2)))
                .isInstanceOfSatisfying(
                        VersionConflictException.class,
                        conflict -> assertThat(conflict.getMessage())
                                .contains("'accounts/carol'", "expected version 2", "found absent"));
        assertThatThrownBy(() -> store.commit(Write.create(ACCOUNTS, "bob", "again")))
                .isInstanceOfSatisfying(
                        VersionConflictException.class,
                        conflict -> assertThat(conflict.getMessage())
                                .contains("'accounts/bob'", "expected version absent", "found 1"));
    }

    @Test
    void createOfAnExistingEntryIsRefused() {
        store.commit(Write.create(APPS, "k", "first"));

        assertConflict(() -> store.commit(Write.create(APPS, "k", "second")), APPS, "k");
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "first", 1));
    }

    @Test
    void updateOfAnAbsentEntryIsRefused() {
        assertConflict(() -> store.commit(Write.update(APPS, "ghost", "v", 1)), APPS, "ghost");
        assertThat(store.get(APPS, "ghost")).isEmpty();
        assertThat(store.list(APPS)).isEmpty();
    }

    @Test
    void unconditionalWriteCreatesAndOverwrites() {
        assertThat(store.commit(Write.update(APPS, "k", "created", Write.ANY))).isEqualTo(1);
        assertThat(store.commit(Write.update(APPS, "k", "overwritten", Write.ANY)))
                .isEqualTo(2);
        store.commit(Write.update(APPS, "k", "by version", 2));
        assertThat(store.commit(Write.update(APPS, "k", "again", Write.ANY))).isEqualTo(4);

        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "again", 4));
    }

    @Test
    void deleteWithTheCurrentVersionRemovesTheEntry() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));

        assertThat(store.commit(Write.delete(APPS, "k", 2))).isZero();
        assertThat(store.get(APPS, "k")).isEmpty();
        assertThat(store.list(APPS)).isEmpty();
    }

    @Test
    void deleteWithAStaleVersionIsRefusedAndKeepsTheEntry() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));

        assertConflict(() -> store.commit(Write.delete(APPS, "k", 1)), APPS, "k");
        assertConflict(() -> store.commit(Write.delete(APPS, "k", Write.ABSENT)), APPS, "k");
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "v2", 2));
    }

    @Test
    void unconditionalDeleteRemovesTheEntry() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));

        assertThat(store.commit(Write.delete(APPS, "k", Write.ANY))).isZero();
        assertThat(store.get(APPS, "k")).isEmpty();
    }

    @Test
    void deleteOfAnAbsentEntryExpectingAbsentOrAnySucceedsAndChangesNothing() {
        store.commit(Write.create(APPS, "other", "kept"));

        assertThat(store.commit(Write.delete(APPS, "ghost", Write.ABSENT))).isZero();
        assertThat(store.commit(Write.delete(APPS, "ghost", Write.ANY))).isZero();
        assertThat(store.get(APPS, "ghost")).isEmpty();
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "other", "kept", 1));
    }

    @Test
    void deleteOfAnAbsentEntryExpectingAVersionIsRefused() {
        assertConflict(() -> store.commit(Write.delete(APPS, "ghost", 1)), APPS, "ghost");
        assertThat(store.get(APPS, "ghost")).isEmpty();
    }

    @Test
    void deletedEntryCanBeCreatedAgainFromVersionOne() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));
        store.commit(Write.delete(APPS, "k", 2));

        assertThat(store.commit(Write.create(APPS, "k", "reborn"))).isEqualTo(1);
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "reborn", 1));
    }
}
