package emp.cluster.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaLogTest {
    @TempDir
    Path dir;

    @Test
    void tailOfAMissingLogIsEmpty() throws Exception {
        assertThat(new ReplicaLog(dir.resolve("none.log"), 1).tail(10)).isEmpty();
    }

    @Test
    void tailReturnsTheLastLinesOldestFirst() throws Exception {
        ReplicaLog log = new ReplicaLog(dir.resolve("a.log"), 1);
        Files.writeString(log.file(), "one\r\ntwo\nthree\n");

        assertThat(log.tail(2)).containsExactly("two", "three");
        assertThat(log.tail(10)).containsExactly("one", "two", "three");
        assertThat(log.tail(0)).isEmpty();
    }

    @Test
    void tailKeepsAnUnfinishedLastLine() throws Exception {
        ReplicaLog log = new ReplicaLog(dir.resolve("a.log"), 1);
        Files.writeString(log.file(), "one\n\ntwo");

        assertThat(log.tail(3)).containsExactly("one", "", "two");
    }

    @Test
    void tailReadsAcrossChunks() throws Exception {
        ReplicaLog log = new ReplicaLog(dir.resolve("a.log"), 1);
        String lines =
                IntStream.range(0, 5000).mapToObj(i -> "line " + i + " é").collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(log.file(), lines);

        assertThat(log.tail(3)).containsExactly("line 4997 é", "line 4998 é", "line 4999 é");
        assertThat(log.tail(4000)).hasSize(4000).startsWith("line 1000 é");
    }

    @Test
    void rotationKeepsThePreviousContentForTheTail() throws Exception {
        ReplicaLog log = new ReplicaLog(dir.resolve("a.log"), 1);
        // The process holds the file open for appending, as a replica's redirected output does.
        try (OutputStream process =
                Files.newOutputStream(log.file(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            process.write("old 1\nold 2\n".getBytes(UTF_8));
            process.flush();

            assertThat(log.rotateIfLarger(100)).isFalse();
            assertThat(log.rotateIfLarger(5)).isTrue();

            process.write("new 1\n".getBytes(UTF_8));
        }

        assertThat(Files.readString(log.file())).isEqualTo("new 1\n");
        assertThat(log.tail(2)).containsExactly("old 2", "new 1");
        assertThat(log.tail(10)).containsExactly("old 1", "old 2", "new 1");

        log.delete();
        assertThat(log.file()).doesNotExist();
        assertThat(log.rotated()).doesNotExist();
    }

    @Test
    void rotationKeepsTheNewestFilesAndTheTailReadsThroughThem() throws Exception {
        ReplicaLog log = new ReplicaLog(dir.resolve("b.log"), 2);
        try (OutputStream process =
                Files.newOutputStream(log.file(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int round = 1; round <= 4; round++) {
                process.write(("round " + round + "\n").getBytes(UTF_8));
                process.flush();
                assertThat(log.rotateIfLarger(4)).isTrue();
            }
            process.write("now\n".getBytes(UTF_8));
        }

        assertThat(log.rotated(1)).hasContent("round 4\n");
        assertThat(log.rotated(2)).hasContent("round 3\n");
        assertThat(log.rotated(3)).as("beyond keep").doesNotExist();
        assertThat(log.tail(10)).containsExactly("round 3", "round 4", "now");
        assertThat(log.bytes()).isEqualTo("round 3\nround 4\nnow\n".length());

        log.delete();
        assertThat(log.rotated(1)).doesNotExist();
        assertThat(log.rotated(2)).doesNotExist();
    }
}
