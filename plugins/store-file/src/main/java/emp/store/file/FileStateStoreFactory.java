package emp.store.file;

import emp.spi.PluginContext;
import emp.spi.store.StateStore;
import emp.spi.store.StateStoreFactory;
import org.pf4j.Extension;

/**
 * Makes the embedded file store, chosen by {@code store.use: file}. Its configuration section is {@code store.file}
 * (see {@link FileStoreConfig}); its database is {@code store.db} in the plugin's data folder unless
 * {@code store.file.path} says otherwise.
 */
@Extension
public final class FileStateStoreFactory implements StateStoreFactory {
    @Override
    public String name() {
        return "file";
    }

    @Override
    public String description() {
        return "embedded SQLite database file in the server's data folder (the default; nothing to set up)";
    }

    /** Binds {@code store.file}; does no I/O. */
    @Override
    public StateStore create(PluginContext context) {
        return new FileStateStore(FileStoreConfig.from(context.config(), context.dataDir()));
    }
}
