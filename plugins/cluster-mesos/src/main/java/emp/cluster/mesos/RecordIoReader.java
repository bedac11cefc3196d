package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads Mesos' RecordIO framing: each record is its length in decimal ASCII, a line feed, and that many bytes. The
 * master streams a subscription's events so.
 *
 * <p>Not thread-safe: one reader per stream.
 */
final class RecordIoReader {
    /** Larger than any event a master sends (an OFFERS of many agents is some kilobytes); a guard against garbage. */
    static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private final InputStream in;

    RecordIoReader(InputStream in) {
        this.in = requireNonNull(in, "in is null");
    }

    /**
     * The next record.
     *
     * @return null at the end of the stream between records
     * @throws IOException when the stream fails, ends inside a record, or does not hold RecordIO
     */
    byte[] next() throws IOException {
        long length = 0;
        int digits = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (digits == 0) {
                    return null;
                }
                throw new EOFException("the stream ended inside a RecordIO header");
            }
            if (b == '\n') {
                break;
            }
            if (b < '0' || b > '9') {
                throw new IOException("not a RecordIO stream: byte " + b + " in a record's length");
            }
            length = length * 10 + (b - '0');
            if (++digits > 10 || length > MAX_RECORD_BYTES) {
                throw new IOException("a RecordIO record claims more than " + MAX_RECORD_BYTES + " bytes");
            }
        }
        if (digits == 0) {
            throw new IOException("not a RecordIO stream: a record's length is empty");
        }
        byte[] record = in.readNBytes((int) length);
        if (record.length < length) {
            throw new EOFException("the stream ended inside a record of " + length + " bytes");
        }
        return record;
    }
}
