package emp.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Reads and writes {@code $EMP_HOME/config}, a JSON object holding a {@link CliConfig}. The file holds a bearer
 * token, so it is created readable by its owner only (mode 0600, in a 0700 folder) and replaced atomically: a
 * token is never visible to others, not even for a moment between creating the file and narrowing its mode.
 */
public final class ConfigStore {
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path home;

    /** @param home the {@code EMP_HOME} folder; it is created on the first save */
    public ConfigStore(Path home) {
        this.home = requireNonNull(home, "home is null");
    }

    public Path home() {
        return home;
    }

    public Path file() {
        return home.resolve("config");
    }

    /** The stored config, or {@link CliConfig#EMPTY} when there is none yet. */
    public CliConfig load() {
        Path file = file();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return CliConfig.EMPTY;
        } catch (IOException e) {
            throw CliException.user("cannot read the config file '" + file + "': " + e.getMessage());
        }
        if (text.isBlank()) {
            return CliConfig.EMPTY;
        }
        try {
            return Json.MAPPER.readValue(text, CliConfig.class);
        } catch (JsonProcessingException e) {
            throw CliException.user(
                    "the config file '" + file + "' is not a JSON object of server, username and token ("
                            + e.getOriginalMessage() + "); fix it or delete it and run 'emp login' again");
        }
    }

    /** Replaces the stored config with {@code config}, in a file of mode 0600. */
    public void save(CliConfig config) {
        requireNonNull(config, "config is null");
        Path file = file();
        try {
            createHome();
            Path temp = Files.createTempFile(home, "config", ".tmp", ownerOnly(OWNER_FILE));
            try {
                Files.writeString(temp, Json.pretty(Json.MAPPER.valueToTree(config)) + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw CliException.user("cannot write the config file '" + file + "': " + e.getMessage()
                    + "; check that EMP_HOME ('" + home + "') is a folder you can write");
        }
    }

    /** Creates {@code EMP_HOME} (mode 0700) if it does not exist yet. */
    public void createHome() throws IOException {
        if (!Files.isDirectory(home)) {
            Files.createDirectories(home, ownerOnly(OWNER_DIR));
        }
    }

    /** Creates an empty file of mode 0600 in {@code EMP_HOME} unless it exists; returns its path. */
    public Path createPrivateFile(String name) throws IOException {
        createHome();
        Path file = home.resolve(name);
        if (!Files.exists(file)) {
            Files.createFile(file, ownerOnly(OWNER_FILE));
        }
        return file;
    }

    private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
    }
}
