package emp.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability against a killed server: a child JVM writes in a loop and acknowledges each step on stdout; the test
 * kills it with SIGKILL mid-stream and checks that every acknowledged write is in the database, and that what is
 * there is whole (commits applied entirely or not at all, the log without gaps).
 */
class FileStateStoreKillTest {
    private static final int ACKS_BEFORE_KILL = 100;

    @TempDir
    Path folder;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path database = folder.resolve("data/store.db");
        Path errors = folder.resolve("writer.err");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process writer = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        FileStoreWriter.class.getName(),
                        database.toString())
                .redirectError(errors.toFile())
                .start();

        long lastAck = -1;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            while (lastAck + 1 < ACKS_BEFORE_KILL) {
                String line = out.readLine();
                if (line == null) {
                    fail(
                            "the writer ended after %d acknowledgements; its stderr:%n%s",
                            lastAck + 1, Files.readString(errors));
                }
                if (line.startsWith(FileStoreWriter.ACK)) {
                    long step = Long.parseLong(line.substring(FileStoreWriter.ACK.length()));
                    assertThat(step).isEqualTo(lastAck + 1);
                    lastAck = step;
                }
            }
            // Process.destroyForcibly is SIGKILL on Linux; it also closes the pipe, so later acknowledgements go
            // unread.
            writer.destroyForcibly();
        }
        assertThat(writer.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(writer.exitValue()).as("exit status of the killed writer").isEqualTo(128 + 9);

        try (FileStateStore store = new FileStateStore(new FileStoreConfig(database))) {
            store.start();
            List<Entry> steps = store.list(FileStoreWriter.COLLECTION).stream()
                    .filter(entry -> !entry.key().equals("counter"))
                    .collect(Collectors.toList());
            long lastStep = steps.size() - 1;

            assertThat(lastStep).as("last step in the database").isGreaterThanOrEqualTo(lastAck);
            assertThat(steps)
                    .extracting(Entry::key)
                    .as("steps form an unbroken run from 0")
                    .containsExactlyElementsOf(LongStream.rangeClosed(0, lastStep)
                            .mapToObj(FileStoreWriter::key)
                            .collect(Collectors.toList()));
            assertThat(steps)
                    .allSatisfy(entry -> assertThat(entry.value())
                            .isEqualTo("value of step "
                                    + Long.parseLong(entry.key().substring(1))));
            assertThat(store.get(FileStoreWriter.COLLECTION, "counter"))
                    .map(Entry::value)
                    .as("the counter was written in the same commit as the last step")
                    .contains(Long.toString(lastStep));

            List<LogRecord> records = store.read(FileStoreWriter.LOG, 0, Integer.MAX_VALUE);
            assertThat(records.size()).as("log records").isBetween((int) lastStep, (int) lastStep + 1);
            assertThat(records.size()).isGreaterThanOrEqualTo((int) lastAck + 1);
            for (int i = 0; i < records.size(); i++) {
                assertThat(records.get(i)).isEqualTo(new LogRecord(i + 1, "record " + i));
            }
            assertThat(store.check().healthy()).isTrue();
        }
    }
}
