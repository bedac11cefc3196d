package emp.store.file;

import emp.spi.store.StateStore;
import emp.tck.store.AbstractChangeFeedTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change-feed kit against a database file: this process's commits are told as they return; another process's
 * (here, a second store object over the same file) make the watchers read again.
 */
class FileChangeFeedTest extends AbstractChangeFeedTck {
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
