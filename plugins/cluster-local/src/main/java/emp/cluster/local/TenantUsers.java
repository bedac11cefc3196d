package emp.cluster.local;

import emp.spi.PlatformException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each tenant's replicas as an OS user of their own ({@code sandbox: tenant-users}): a uid from
 * {@code sandbox-uid-base} up, one per owner, kept in {@value #FILE} in the cluster's data folder so that it survives
 * restarts. A replica is started through util-linux's {@code setpriv} as that uid and gid, with no supplementary
 * groups, no capabilities and no new privileges, in a folder of its own that only it may enter (0700). So a tenant's
 * code cannot read another tenant's replicas' environment ({@code /proc/PID/environ} is its owner's), cannot signal
 * them, and cannot read the server's data (the store) where that is not readable by others. It needs the server to
 * run as root and {@code setpriv} on the PATH; otherwise {@link #open} refuses with what to do. The app's own files
 * (its jar, its scripts) must be readable by others. Thread-safe.
 */
final class TenantUsers {
    private static final Logger log = LoggerFactory.getLogger(TenantUsers.class);
    static final String FILE = "tenant-uids.properties";

    private final Path file;
    private final String setpriv;
    private final int base;
    private final int count;
    private final Map<String, Integer> uids = new TreeMap<>();

    private TenantUsers(Path file, String setpriv, int base, int count) {
        this.file = file;
        this.setpriv = setpriv;
        this.base = base;
        this.count = count;
    }

    /**
     * The tenants' users of the cluster whose data folder is {@code root}.
     *
     * @throws PlatformException of category INVALID naming the key when the server is not root or setpriv is
     *                           missing
     */
    static TenantUsers open(Path root, int base, int count, String key) {
        if (!runsAsRoot()) {
            throw PlatformException.invalid(
                    key,
                    "'" + key + "' is tenant-users, which starts each tenant's replicas as an OS user of their own and"
                            + " needs the server to run as root; run it as root, or set '" + key + "' to none");
        }
        Optional<String> setpriv = CommandLine.resolve("setpriv", System.getenv("PATH"));
        if (setpriv.isEmpty()) {
            throw PlatformException.invalid(
                    key,
                    "'" + key + "' is tenant-users, which needs util-linux's setpriv on the PATH (Debian: apt-get"
                            + " install util-linux); install it, or set '" + key + "' to none");
        }
        TenantUsers users = new TenantUsers(root.resolve(FILE), setpriv.get(), base, count);
        users.load();
        log.info(
                "replicas run as their tenant's own OS user (uids from {}, {} so far), through {}",
                base,
                users.uids.size(),
                setpriv.get());
        return users;
    }

    /** The uid (and gid) of {@code owner}'s replicas, given one now if it has none yet. */
    synchronized int uidOf(String owner) {
        Integer known = uids.get(owner);
        if (known != null) {
            return known;
        }
        int next = base + uids.size();
        if (uids.size() >= count) {
            throw PlatformException.unavailable(
                    "no uid is left for user '" + owner + "' in sandbox-uid-base " + base + " to " + (base + count - 1)
                            + "; raise sandbox-uid-count",
                    null);
        }
        uids.put(owner, next);
        save();
        return next;
    }

    /** {@code argv} started as {@code owner}'s user. */
    List<String> command(String owner, List<String> argv) {
        int uid = uidOf(owner);
        List<String> command = new ArrayList<>(List.of(
                setpriv,
                "--reuid=" + uid,
                "--regid=" + uid,
                "--clear-groups",
                "--no-new-privs",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--"));
        command.addAll(argv);
        return command;
    }

    /**
     * Gives {@code folder} to {@code owner}'s user, for it alone (0700), and lets every user pass through the
     * folders above it up to {@code root} without listing them (0711), so that the replica reaches its own folder by
     * its full path and sees nothing of the others.
     */
    void own(String owner, Path folder, Path root) throws IOException {
        int uid = uidOf(owner);
        Files.setAttribute(folder, "unix:uid", uid);
        Files.setAttribute(folder, "unix:gid", uid);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        Path top = root.toAbsolutePath().normalize();
        for (Path above = folder.toAbsolutePath().normalize().getParent();
                above != null && above.startsWith(top);
                above = above.getParent()) {
            Files.setPosixFilePermissions(above, PosixFilePermissions.fromString("rwx--x--x"));
        }
    }

    /** Keeps {@code folder} (the replicas' logs) to the server alone (0700): a replica writes its log through the
     * file it was started with, and reads no one's. */
    static void keepToServer(Path folder) throws IOException {
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    }

    private void load() {
        if (!Files.isRegularFile(file)) {
            return;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw PlatformException.unavailable(
                    "cannot read the tenants' uids in '" + file + "': " + e.getMessage(), e);
        }
        properties.forEach((owner, uid) -> uids.put((String) owner, Integer.parseInt(((String) uid).trim())));
    }

    private void save() {
        Properties properties = new Properties();
        uids.forEach((owner, uid) -> properties.setProperty(owner, Integer.toString(uid)));
        try {
            DataFolder.writeProperties(
                    file, properties, "the OS user of each tenant's replicas; keep it with the data folder");
        } catch (IOException e) {
            throw PlatformException.unavailable(
                    "cannot write the tenants' uids to '" + file + "': " + e.getMessage(), e);
        }
    }

    /** Whether {@link #open} would work here: the server runs as root and setpriv is on the PATH. */
    static boolean available() {
        return runsAsRoot()
                && CommandLine.resolve("setpriv", System.getenv("PATH")).isPresent();
    }

    static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
