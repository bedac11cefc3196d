package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.app.AppSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void expandsPortInEveryArgument() {
        assertThat(AppSpec.expandPort(List.of("serve", "--port=$PORT", "${PORT}", "a${PORT}b$PORT"), 4321))
                .containsExactly("serve", "--port=4321", "4321", "a4321b4321");
    }

    @Test
    void leavesOtherVariablesAlone() {
        assertThat(AppSpec.expandPort(List.of("$PORTS", "$PORT_X", "${HOME}", "$$"), 4321))
                .containsExactly("$PORTS", "$PORT_X", "${HOME}", "$$");
    }

    @Test
    void findsABareNameOnThePath() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path tool = Files.createFile(
                bin.resolve("tool"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createFile(bin.resolve("plain"));

        assertThat(CommandLine.resolve("tool", dir.resolve("none") + ":" + bin)).contains(tool.toString());
        assertThat(CommandLine.resolve("plain", bin.toString()))
                .as("a file that is not executable")
                .isEmpty();
        assertThat(CommandLine.resolve("missing", bin.toString())).isEmpty();
        assertThat(CommandLine.resolve("tool", null)).isEmpty();
    }

    @Test
    void takesAPathAsItIs() {
        assertThat(CommandLine.resolve("./run.sh", "/nowhere")).contains("./run.sh");
        assertThat(CommandLine.resolve("/usr/bin/env", null)).contains("/usr/bin/env");
    }
}
