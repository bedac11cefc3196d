package emp.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.store.StateStore;
import emp.spi.store.StateStoreFactory;
import emp.spi.store.Write;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** What the file store does beyond the kit: where its file is, how it opens, and how it fails to. */
class FileStateStoreLifecycleTest {
    @TempDir
    Path folder;

    private static FileStateStore storeAt(Path path) {
        return new FileStateStore(new FileStoreConfig(path));
    }

    @Test
    void constructorTouchesNothing() {
        Path database = folder.resolve("later/store.db");

        FileStateStore store = storeAt(database);

        assertThat(store.path()).isEqualTo(database);
        assertThat(folder.resolve("later")).doesNotExist();
        assertThat(store.check().healthy()).isFalse();
        assertThat(store.check().detail()).contains(database.toString(), "not started");
    }

    @Test
    void useBeforeStartFailsNamingTheFile() {
        FileStateStore store = storeAt(folder.resolve("store.db"));

        assertThatThrownBy(() -> store.get("apps", "k"))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining(folder.resolve("store.db").toString())
                .hasMessageContaining("start()");
    }

    @Test
    void startCreatesTheFolderAndAWalDatabase() throws Exception {
        Path database = folder.resolve("a/b/store.db");
        try (FileStateStore store = storeAt(database)) {
            store.start();
            store.start();
            store.commit(Write.create("apps", "k", "v"));

            assertThat(database).isRegularFile();
            assertThat(store.check().healthy()).isTrue();
            assertThat(store.check().detail()).contains(database.toString());
        }
        assertThat(pragma(database, "journal_mode")).isEqualTo("wal");
        assertThat(pragma(database, "user_version")).isEqualTo(Integer.toString(FileStateStore.SCHEMA_VERSION));
    }

    @Test
    void closedStoreIsUnhealthyAndCannotBeUsed() {
        FileStateStore store = storeAt(folder.resolve("store.db"));
        store.start();
        store.close();
        store.close();

        assertThat(store.check().healthy()).isFalse();
        assertThat(store.check().detail()).contains("closed");
        assertThatThrownBy(() -> store.append("log", "v", 10))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(store::start).isInstanceOf(PlatformException.class).hasMessageContaining("make a new store");
    }

    @Test
    void folderThatCannotBeCreatedFailsNamingItAndWhatToDo() throws Exception {
        Path notAFolder = Files.writeString(folder.resolve("occupied"), "a file where the folder should be");
        FileStateStore store = storeAt(notAFolder.resolve("store.db"));

        assertThatThrownBy(store::start).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage()).contains("'" + notAFolder + "'", "writable", "'store.file.path'");
        });
        assertThat(store.check().healthy()).isFalse();
    }

    @Test
    void databaseThatIsAFolderFailsNamingIt() throws Exception {
        Path database = Files.createDirectories(folder.resolve("store.db"));

        assertThatThrownBy(() -> storeAt(database).start()).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage()).contains("'" + database + "'", "'store.file.path'");
        });
    }

    @Test
    void fileThatIsNotADatabaseFailsNamingIt() throws Exception {
        Path database = Files.writeString(
                folder.resolve("store.db"), "these are not the bytes of a SQLite database, ".repeat(200));

        assertThatThrownBy(() -> storeAt(database).start()).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage()).contains("'" + database + "'", "EMP store database");
        });
        assertThat(Files.readString(database)).startsWith("these are not");
    }

    @Test
    void databaseOfANewerSchemaIsRefused() throws Exception {
        Path database = folder.resolve("store.db");
        try (FileStateStore store = storeAt(database)) {
            store.start();
        }
        execute(database, "PRAGMA user_version = " + (FileStateStore.SCHEMA_VERSION + 1));

        assertThatThrownBy(() -> storeAt(database).start()).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNSUPPORTED);
            assertThat(e.getMessage()).contains("'" + database + "'", "schema " + (FileStateStore.SCHEMA_VERSION + 1));
        });
    }

    @Test
    void factoryBindsItsSectionWithoutIo() {
        StateStoreFactory factory = new FileStateStoreFactory();
        Path data = folder.resolve("data/store-file");

        StateStore byDefault = factory.create(context(Map.of(), data));
        StateStore elsewhere = factory.create(
                context(Map.of("path", folder.resolve("elsewhere.db").toString()), data));

        assertThat(factory.name()).isEqualTo("file");
        assertThat(factory.description()).isNotBlank().doesNotContain("\n");
        assertThat(((FileStateStore) byDefault).path()).isEqualTo(data.resolve("store.db"));
        assertThat(((FileStateStore) elsewhere).path()).isEqualTo(folder.resolve("elsewhere.db"));
        assertThat(data).doesNotExist();
        assertThatThrownBy(() -> factory.create(context(Map.of("paht", "x.db"), data)))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("'store.file.paht'");
    }

    private static PluginContext context(Map<String, String> config, Path dataDir) {
        return new PluginContext(
                "store-file",
                new PluginConfig("store.file", config),
                dataDir,
                URI.create("http://127.0.0.1:7070"),
                Clock.systemUTC());
    }

    private static String pragma(Path database, String name) throws Exception {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("PRAGMA " + name)) {
            row.next();
            return row.getString(1);
        }
    }

    private static void execute(Path database, String sql) throws Exception {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Connection connect(Path database) throws Exception {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + database);
        return dataSource.getConnection();
    }
}
