package emp.store.file;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code store.file} configuration section.
 *
 * @param path the database file; by default {@code store.db} in the plugin's data folder. A relative path given in
 *             the configuration is taken from the server's working folder.
 */
public record FileStoreConfig(Path path) {
    /** The database file's name in the plugin's data folder. */
    public static final String FILE_NAME = "store.db";

    public static final String PATH = "path";
    public static final Set<String> KEYS = Set.of(PATH);

    public FileStoreConfig {
        requireNonNull(path, "path is null");
        path = path.toAbsolutePath().normalize();
    }

    /**
     * Binds and checks the section.
     *
     * @param dataDir the plugin's data folder, where the database lives unless {@code path} says otherwise
     * @throws PlatformException of category INVALID naming an unknown key or a path that is not one
     */
    public static FileStoreConfig from(PluginConfig config, Path dataDir) {
        requireNonNull(config, "config is null");
        requireNonNull(dataDir, "dataDir is null");
        config.requireKnown(KEYS);
        try {
            return new FileStoreConfig(config.path(PATH, dataDir.resolve(FILE_NAME)));
        } catch (InvalidPathException e) {
            throw PlatformException.invalid(
                    config.fullKey(PATH),
                    "configuration key '" + config.fullKey(PATH) + "' is '"
                            + config.get(PATH).orElse("") + "', which is not a file path (" + e.getReason()
                            + "); give the database file's path");
        }
    }
}
