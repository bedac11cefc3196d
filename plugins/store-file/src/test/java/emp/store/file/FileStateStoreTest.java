package emp.store.file;

import emp.spi.store.StateStore;
import emp.tck.store.AbstractStateStoreTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The state-store conformance kit, run against a database file in a fresh folder per test. */
class FileStateStoreTest extends AbstractStateStoreTck {
    @TempDir
    Path folder;

    private Path database() {
        return folder.resolve("data").resolve(FileStoreConfig.FILE_NAME);
    }

    @Override
    protected StateStore newStore() {
        return new FileStateStore(new FileStoreConfig(database()));
    }

    @Override
    protected StateStore reopen() {
        return new FileStateStore(new FileStoreConfig(database()));
    }
}
