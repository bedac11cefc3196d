package emp.store.file;

import emp.spi.store.Write;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link FileStateStoreKillTest}: writes to a file store until it is killed, and prints
 * {@code ack N} once the writes of step N have returned. Step N creates entry {@code kill/key(N)}, sets
 * {@code kill/counter} to N in the same commit, then appends {@code record N} to the log {@code kill}.
 */
public final class FileStoreWriter {
    public static final String COLLECTION = "kill";
    public static final String LOG = "kill";
    public static final String ACK = "ack ";

    private FileStoreWriter() {}

    public static String key(long step) {
        return String.format("k%08d", step);
    }

    public static void main(String[] args) {
        FileStateStore store = new FileStateStore(new FileStoreConfig(Path.of(args[0])));
        store.start();
        for (long step = 0; ; step++) {
            store.commit(List.of(
                    Write.create(COLLECTION, key(step), "value of step " + step),
                    Write.update(COLLECTION, "counter", Long.toString(step), Write.ANY)));
            store.append(LOG, "record " + step, Integer.MAX_VALUE);
            System.out.println(ACK + step);
            System.out.flush();
        }
    }
}
