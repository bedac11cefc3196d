package emp.cluster.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How a spec's {@code command} becomes the argv of one replica. */
final class CommandLine {
    /** {@code ${PORT}}, or {@code $PORT} not followed by more of a variable name (so {@code $PORTS} stays). */
    private static final Pattern PORT = Pattern.compile("\\$\\{PORT}|\\$PORT(?![A-Za-z0-9_])");

    private CommandLine() {}

    /** The command with {@code $PORT} and {@code ${PORT}} replaced by {@code port} in every argument. */
    static List<String> expand(List<String> command, int port) {
        String replacement = Matcher.quoteReplacement(Integer.toString(port));
        return command.stream()
                .map(argument -> PORT.matcher(argument).replaceAll(replacement))
                .toList();
    }

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
