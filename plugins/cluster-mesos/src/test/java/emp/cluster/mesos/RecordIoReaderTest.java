package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordIoReaderTest {
    @Test
    void readsRecordsUntilTheEnd() throws IOException {
        RecordIoReader reader = reader("5\nhello0\n12\n{\"type\":\"x\"}");

        assertThat(new String(reader.next(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(reader.next()).isEmpty();
        assertThat(new String(reader.next(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"x\"}");
        assertThat(reader.next()).isNull();
    }

    @Test
    void aRecordMayHoldLineFeedsAndAnyByte() throws IOException {
        byte[] stream = {'3', '\n', '\n', 0, (byte) 0xff};

        assertThat(new RecordIoReader(new ByteArrayInputStream(stream)).next()).containsExactly('\n', 0, 0xff);
    }

    @Test
    void refusesWhatIsNotRecordIo() {
        assertThatThrownBy(() -> reader("x\nhello").next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not");
        assertThatThrownBy(() -> reader("\nhello").next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> reader("99999999999\n").next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("more than");
    }

    @Test
    void anEndInsideARecordIsAnError() {
        assertThatThrownBy(() -> reader("10\nshort").next()).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> reader("12").next()).isInstanceOf(EOFException.class);
    }

    private static RecordIoReader reader(String text) {
        return new RecordIoReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
