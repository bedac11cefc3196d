package emp.store.file;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens the store's SQLite file: its folder made, the file kept to the server's user (0600), WAL with full sync and a
 * busy timeout, and the tables created or checked against the schema this plugin knows. Every failure names the file
 * and what to change.
 */
final class DatabaseFile {
    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS entry (collection TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
                + " version INTEGER NOT NULL, PRIMARY KEY (collection, key))",
        "CREATE TABLE IF NOT EXISTS log (name TEXT NOT NULL PRIMARY KEY, last_sequence INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS log_record (log TEXT NOT NULL, sequence INTEGER NOT NULL, value TEXT NOT NULL,"
                + " PRIMARY KEY (log, sequence))",
    };

    private DatabaseFile() {}

    /**
     * A connection to the database at {@code path}, made and migrated on first use.
     *
     * @throws PlatformException UNAVAILABLE naming the file when it cannot be opened or written; UNSUPPORTED when a
     *                           newer EMP wrote it
     */
    static Connection open(Path path) {
        createFolder(path);
        Connection opened = connect(path);
        try {
            createSchema(path, opened);
            return opened;
        } catch (RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
    }

    private static void createFolder(Path path) {
        Path folder = path.getParent();
        try {
            Files.createDirectories(folder);
            keepToOwner(path);
        } catch (IOException | SecurityException e) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    "cannot create the folder '" + folder
                            + "' of the state store database '" + path + "' (" + FileStateStore.describe(e)
                            + "); make the folder writable by"
                            + " the user running EMP, or set 'store.file.path' to a file in a writable folder",
                    e);
        }
    }

    /**
     * Makes the database file, or keeps it, readable and writable by the server's user alone (0600): it holds every
     * account's password and token hashes, and the apps' replicas run on the same machine. SQLite gives its WAL and
     * shared-memory files the database file's permissions.
     */
    private static void keepToOwner(Path database) throws IOException {
        if (!database.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(database, PosixFilePermissions.asFileAttribute(owner));
        } catch (FileAlreadyExistsException e) {
            Files.setPosixFilePermissions(database, owner);
        }
    }

    private static Connection connect(Path path) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(FileStateStore.BUSY_TIMEOUT_MILLIS);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + path);
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw cannotOpen(path, e);
        } catch (LinkageError e) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    "cannot load SQLite's native library to open the state"
                            + " store database '" + path + "' (" + FileStateStore.describe(e)
                            + "); if the temporary folder does not allow"
                            + " running libraries, start EMP with -Dorg.sqlite.tmpdir set to a folder that does",
                    e);
        }
    }

    private static PlatformException cannotOpen(Path path, Exception e) {
        return new PlatformException(
                ErrorCategory.UNAVAILABLE,
                "cannot open the state store database '" + path + "' ("
                        + FileStateStore.describe(e)
                        + "); check that it is an EMP store database and that it and its folder are writable by"
                        + " the user running EMP, or set 'store.file.path' to another file",
                e);
    }

    /** Creates the tables when they are missing; returns the schema version. */
    private static int createSchema(Path path, Connection opened) {
        try (Statement statement = opened.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                int version;
                try (ResultSet row = statement.executeQuery("PRAGMA user_version")) {
                    version = row.next() ? row.getInt(1) : 0;
                }
                if (version > FileStateStore.SCHEMA_VERSION) {
                    throw new PlatformException(
                            ErrorCategory.UNSUPPORTED,
                            "the state store database '" + path
                                    + "' has schema " + version + ", newer than schema " + FileStateStore.SCHEMA_VERSION
                                    + " that this"
                                    + " store-file plugin knows; install the store-file plugin of the EMP that wrote it");
                }
                for (String table : SCHEMA) {
                    statement.execute(table);
                }
                statement.execute("PRAGMA user_version = " + FileStateStore.SCHEMA_VERSION);
                statement.execute("COMMIT");
                return FileStateStore.SCHEMA_VERSION;
            } catch (SQLException | RuntimeException e) {
                FileStateStore.rollbackQuietly(opened, e);
                throw e;
            }
        } catch (SQLException e) {
            throw cannotOpen(path, e);
        }
    }

    private static void closeQuietly(Connection target, Exception cause) {
        try {
            target.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
