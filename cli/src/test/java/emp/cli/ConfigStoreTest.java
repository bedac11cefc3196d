package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {
    @TempDir
    Path temp;

    @Test
    void savesInAPrivateFileInAPrivateFolderAndReadsItBack() throws Exception {
        ConfigStore store = new ConfigStore(temp.resolve("emp-home"));
        CliConfig config = new CliConfig("http://127.0.0.1:7070", "alice", "tok");

        assertThat(store.load()).isEqualTo(CliConfig.EMPTY);
        store.save(config);

        assertThat(store.load()).isEqualTo(config);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.home())))
                .isEqualTo("rwx------");
        store.save(config.withoutToken());
        assertThat(store.load()).isEqualTo(new CliConfig("http://127.0.0.1:7070", "alice", null));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
                .isEqualTo("rw-------");
        try (var files = Files.list(store.home())) {
            assertThat(files).containsExactly(store.file());
        }
    }

    @Test
    void aBrokenFileIsNamedWithWhatToDo() throws Exception {
        ConfigStore store = new ConfigStore(temp);
        Files.writeString(store.file(), "server=http://x");

        assertThatThrownBy(store::load)
                .isInstanceOf(CliException.class)
                .hasMessageContaining("the config file '" + store.file() + "' is not a JSON object")
                .hasMessageContaining("delete it and run 'emp login' again");
    }
}
