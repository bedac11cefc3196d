package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppStateFileTest {
    @TempDir
    Path dir;

    @Test
    void readsWhatItWrote() throws Exception {
        AppStateFile state = new AppStateFile(
                new AppRef("alice", "hello"),
                2,
                "abc123",
                "/health",
                false,
                7,
                List.of(
                        new AppStateFile.Entry(
                                "hello-5", 5, 4242, Instant.parse("2025-01-02T03:04:05.060Z"), 40001, "abc123", 0),
                        new AppStateFile.Entry(
                                "hello-6", 6, 4343, Instant.parse("2025-01-02T03:04:06Z"), 40002, "old999", 3)));
        Path file = dir.resolve("alice/hello/state.properties");

        state.write(file);

        assertThat(AppStateFile.read(file)).isEqualTo(state);
        assertThat(file.resolveSibling("state.properties.tmp")).doesNotExist();
    }

    @Test
    void readsAnAppWithoutSpecOrReplicas() throws Exception {
        AppStateFile state = new AppStateFile(new AppRef("alice", "idle"), 0, null, null, true, 1, List.of());
        Path file = dir.resolve("state.properties");

        state.write(file);

        assertThat(AppStateFile.read(file)).isEqualTo(state);
    }

    @Test
    void refusesAFileWithAMissingKey() throws Exception {
        Path file = dir.resolve("state.properties");
        Files.writeString(file, "owner=alice\nname=hello\ndesired=1\n");

        assertThatThrownBy(() -> AppStateFile.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'next-index'");
    }
}
