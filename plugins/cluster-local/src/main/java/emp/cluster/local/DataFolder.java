package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's data folder: {@code apps/{owner}/{app}/} holds each app's state file, {@code replicas/{id}/} (each
 * replica's working folder) and {@code logs/{id}.log}; {@code trash/} holds what is being deleted.
 */
final class DataFolder {
    private static final Logger log = LoggerFactory.getLogger(DataFolder.class);

    private final Path root;

    DataFolder(Path root) {
        this.root = requireNonNull(root, "root is null");
    }

    Path root() {
        return root;
    }

    Path apps() {
        return root.resolve("apps");
    }

    Path app(AppRef ref) {
        return apps().resolve(folderName(ref.owner())).resolve(folderName(ref.name()));
    }

    Path trash() {
        return root.resolve("trash");
    }

    /**
     * Moves a folder into the trash at once, so its name is free again, and returns where it went; the caller deletes
     * it from there at leisure.
     */
    Path moveToTrash(Path folder) throws IOException {
        Path target = trash().resolve(folder.getFileName() + "-" + System.nanoTime());
        Files.createDirectories(trash());
        Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** Writes {@code properties} to {@code file} by moving a finished copy over it, so that no reader sees half. */
    static void writeProperties(Path file, Properties properties, String comment) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(writer, comment);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a folder and everything in it; logs what it could not delete rather than failing. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("cannot delete '{}' ({}); delete it by hand", root, e.toString());
        }
    }

    /** Deletes a folder when it is empty. */
    static void deleteIfEmpty(Path folder) {
        try {
            Files.deleteIfExists(folder);
        } catch (DirectoryNotEmptyException e) {
            // Still in use; it goes with the last thing in it.
        } catch (IOException e) {
            log.debug("cannot delete '{}'", folder, e);
        }
    }

    /** A name as a folder name: unchanged when it is plain, encoded when it holds anything a path could trip on. */
    private static String folderName(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8)
                .replace(".", "%2E")
                .replace("*", "%2A");
    }
}
