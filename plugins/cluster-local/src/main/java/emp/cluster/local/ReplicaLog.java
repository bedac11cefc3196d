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
 * when the server is gone), and up to {@code keep} earlier files, {@code .1} the newest, kept as it grew too large.
 *
 * @param file the file the process appends to
 * @param keep how many rotated files are kept beside it, at least 1
 */
record ReplicaLog(Path file, int keep) {
    private static final int CHUNK = 8192;

    ReplicaLog {
        requireNonNull(file, "file is null");
        if (keep < 1) {
            throw new IllegalArgumentException("keep is below 1: " + keep);
        }
    }

    /** The file the content before the last rotation went to. */
    Path rotated() {
        return rotated(1);
    }

    /** The {@code n}th rotated file, 1 the newest. */
    Path rotated(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * Rotates the file when it is larger than {@code maxBytes}: the rotated files move one up (the oldest beyond
     * {@code keep} goes), the file is copied to {@code .1} and emptied. The process opened it for appending, so its
     * next write lands at the new end; the file is never renamed under it.
     *
     * @return whether it rotated
     */
    boolean rotateIfLarger(long maxBytes) throws IOException {
        try {
            if (Files.size(file) <= maxBytes) {
                return false;
            }
            Files.deleteIfExists(rotated(keep));
            for (int n = keep - 1; n >= 1; n--) {
                if (Files.exists(rotated(n))) {
                    Files.move(rotated(n), rotated(n + 1), StandardCopyOption.REPLACE_EXISTING);
                }
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

    /** The last {@code count} lines, oldest first, reaching into the rotated files when the current one has fewer. */
    List<String> tail(int count) throws IOException {
        if (count <= 0) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(lastLines(file, count));
        for (int n = 1; n <= keep && lines.size() < count; n++) {
            List<String> older = new ArrayList<>(lastLines(rotated(n), count - lines.size()));
            older.addAll(lines);
            lines = older;
        }
        return lines;
    }

    /** The bytes the log and its rotated files take. */
    long bytes() {
        long total = 0;
        for (int n = 0; n <= keep; n++) {
            try {
                total += Files.size(n == 0 ? file : rotated(n));
            } catch (IOException e) {
                // Not there (never rotated so far, or being rotated): nothing to count.
            }
        }
        return total;
    }

    /** Deletes the log and its rotated files. */
    void delete() throws IOException {
        Files.deleteIfExists(file);
        for (int n = 1; n <= keep; n++) {
            Files.deleteIfExists(rotated(n));
        }
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
