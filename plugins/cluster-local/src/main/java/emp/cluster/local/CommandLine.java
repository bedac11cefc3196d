package emp.cluster.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** How the executable of a replica's argv is found. */
final class CommandLine {
    private CommandLine() {}

    /**
     * Finds the executable: a name without a slash is looked up on {@code path} (the value of {@code PATH}); one with
     * a slash is returned as it is (relative ones are resolved by the OS against the replica's working folder).
     *
     * @return empty when a bare name is found nowhere on the path
     */
    static Optional<String> resolve(String executable, String path) {
        if (executable.contains("/")) {
            return Optional.of(executable);
        }
        if (path == null) {
            return Optional.empty();
        }
        for (String folder : path.split(File.pathSeparator)) {
            if (folder.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(folder, executable);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toString());
                }
            } catch (InvalidPathException e) {
                // A malformed PATH entry cannot hold the executable; the next one may.
            }
        }
        return Optional.empty();
    }
}
