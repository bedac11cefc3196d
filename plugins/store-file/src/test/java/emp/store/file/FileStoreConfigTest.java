package emp.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileStoreConfigTest {
    private static final Path DATA = Path.of("/var/emp/data/store-file");

    private static FileStoreConfig bind(Map<String, String> values) {
        return FileStoreConfig.from(new PluginConfig("store.file", values), DATA);
    }

    @Test
    void defaultIsStoreDbInTheDataFolder() {
        assertThat(bind(Map.of())).isEqualTo(new FileStoreConfig(Path.of("/var/emp/data/store-file/store.db")));
    }

    @Test
    void relativeDataFolderBecomesAbsolute() {
        FileStoreConfig config = FileStoreConfig.from(PluginConfig.empty("store.file"), Path.of("data/store-file"));

        assertThat(config.path()).isEqualTo(Path.of("data/store-file/store.db").toAbsolutePath());
    }

    @Test
    void pathOverridesTheFile() {
        assertThat(bind(Map.of("path", "/srv/emp/state.sqlite")).path()).isEqualTo(Path.of("/srv/emp/state.sqlite"));
    }

    @Test
    void relativePathIsTakenFromTheWorkingFolder() {
        assertThat(bind(Map.of("path", "state/../emp.db")).path())
                .isEqualTo(Path.of("emp.db").toAbsolutePath());
    }

    @Test
    void pathKeyIsMatchedWithoutRegardToCase() {
        assertThat(bind(Map.of("PATH", "/srv/emp.db")).path()).isEqualTo(Path.of("/srv/emp.db"));
    }

    @Test
    void blankPathMeansTheDefault() {
        assertThat(bind(Map.of("path", "  ")).path()).isEqualTo(Path.of("/var/emp/data/store-file/store.db"));
    }

    @Test
    void unknownKeyIsRejectedByName() {
        assertThatThrownBy(() -> bind(Map.of("pth", "/srv/emp.db")))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("store.file.pth");
                    assertThat(e.getMessage()).contains("'store.file.pth'", "path");
                });
    }

    @Test
    void pathThatIsNotAPathIsRejectedByName() {
        assertThatThrownBy(() -> bind(Map.of("path", "/srv/emp\0.db")))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("store.file.path");
                    assertThat(e.getMessage()).contains("'store.file.path'");
                });
    }
}
