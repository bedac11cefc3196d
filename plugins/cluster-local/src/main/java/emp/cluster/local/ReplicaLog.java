package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One replica's log: a file its process appends its standard output and error to directly (so it keeps logging
 * when the server is gone), and the previous file kept once it grew too large.
 *
 * @param file the file the process appends to
 */
record ReplicaLog(Path file) {
    private static final int CHUNK = 8192;

    ReplicaLog {
        requireNonNull(file, "file is null");
    }

    /** The file the previous content was moved to when it was rotated. */
    Path rotated() {
        return file.resolveSibling(file.getFileName() + ".1");
    }

    /**
     * Rotates the file when it is larger than {@code maxBytes}: copies it beside itself and empties it. The process
     * opened it for appending, so its next write lands at the new end; the file is never renamed under it.
     *
     * @return whether it rotated
     */
    boolean rotateIfLarger(long maxBytes) throws IOException {
        try {
            if (Files.size(file) <= maxBytes) {
                return false;
            }
            Files.copy(file, rotated(), StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** The last {@code count} lines, oldest first, reaching into the rotated file when the current one has fewer. */
    List<String> tail(int count) throws IOException {
        if (count <= 0) {
            return List.of();
        }
        List<String> lines = lastLines(file, count);
        if (lines.size() < count) {
            List<String> older = new ArrayList<>(lastLines(rotated(), count - lines.size()));
            older.addAll(lines);
            return older;
        }
        return lines;
    }

    /** Deletes the log and its rotated copy. */
    void delete() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(rotated());
    }

    /** Reads backwards from the end in chunks until {@code count} line breaks are found, so a large log costs little. */
    private static List<String> lastLines(Path path, int count) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long end = channel.size();
            long start = end;
            int breaks = 0;
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            // A final line break ends the last line rather than starting an empty one.
            boolean skipLast = end > 0 && byteAt(channel, end - 1) == '\n';
            scan:
            while (start > 0) {
                int length = (int) Math.min(CHUNK, start);
                buffer.clear().limit(length);
                long from = start - length;
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, from + buffer.position()) < 0) {
                        break;
                    }
                }
                for (int i = length - 1; i >= 0; i--) {
                    if (buffer.get(i) == '\n' && !(skipLast && from + i == end - 1)) {
                        breaks++;
                        if (breaks == count) {
                            start = from + i + 1;
                            break scan;
                        }
                    }
                }
                start = from;
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) (end - start));
            while (bytes.hasRemaining()) {
                if (channel.read(bytes, start + bytes.position()) < 0) {
                    break;
                }
            }
            bytes.flip();
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(bytes)
                    .toString();
            if (text.isEmpty()) {
                return List.of();
            }
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n", -1)) {
                lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            }
            if (skipLast) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private static byte byteAt(FileChannel channel, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        channel.read(one, position);
        return one.get(0);
    }
}
