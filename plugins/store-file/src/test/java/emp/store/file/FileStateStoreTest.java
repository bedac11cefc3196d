package emp.store.file;

import emp.spi.store.StateStore;
import emp.tck.store.AbstractStoreCommitsTck;
import emp.tck.store.AbstractStoreConcurrencyTck;
import emp.tck.store.AbstractStoreEntriesTck;
import emp.tck.store.AbstractStoreLifecycleTck;
import emp.tck.store.AbstractStoreLogsTck;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The state-store conformance kit, suite by suite, run against a database file in a fresh folder per test. */
class FileStateStoreTest {
    @TempDir
    Path folder;

    private StateStore storeInTheFolder() {
        return new FileStateStore(new FileStoreConfig(folder.resolve("data").resolve(FileStoreConfig.FILE_NAME)));
    }

    @Nested
    class Entries extends AbstractStoreEntriesTck {
        @Override
        protected StateStore newStore() {
            return storeInTheFolder();
        }
    }

    @Nested
    class Commits extends AbstractStoreCommitsTck {
        @Override
        protected StateStore newStore() {
            return storeInTheFolder();
        }
    }

    @Nested
    class Logs extends AbstractStoreLogsTck {
        @Override
        protected StateStore newStore() {
            return storeInTheFolder();
        }
    }

    @Nested
    class Concurrency extends AbstractStoreConcurrencyTck {
        @Override
        protected StateStore newStore() {
            return storeInTheFolder();
        }
    }

    @Nested
    class Lifecycle extends AbstractStoreLifecycleTck {
        @Override
        protected StateStore newStore() {
            return storeInTheFolder();
        }

        @Override
        protected StateStore reopen() {
            return storeInTheFolder();
        }
    }
}
