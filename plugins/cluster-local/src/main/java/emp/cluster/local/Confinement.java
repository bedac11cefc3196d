package emp.cluster.local;

import emp.spi.AppRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What walls a replica's processes in, chosen once when the cluster starts from what the machine allows and the
 * configuration asks, and said in one line of the server log:
 *
 * <ul>
 *   <li><b>PID and mount namespaces</b> ({@code namespaces: auto}), through util-linux's {@code unshare}: the replica
 *       sees only its own processes in {@code /proc} and can signal no other, and when its main process ends the
 *       kernel ends everything it started, double-forked or not. A small shell is the namespace's first process, so
 *       the app is not PID 1 (which ignores SIGTERM unless it handles it) and gets the signals sent to the replica.
 *   <li><b>A control group per replica</b> ({@code cgroups: auto}, see {@link Cgroups}): cpu and memory limits from
 *       {@code resources}, a process cap, and a list of all its processes for stop and remove to kill.
 *   <li><b>An OS user per tenant</b> ({@code sandbox}, see {@link TenantUsers}).
 * </ul>
 *
 * Whatever is missing, a replica that stops has every process still in its working folder killed. Thread-safe.
 */
final class Confinement {
    private static final Logger log = LoggerFactory.getLogger(Confinement.class);
    private static final Path CGROUP_MOUNT = Path.of("/sys/fs/cgroup");

    /**
     * The shell that starts a replica, as root, before the app. Its arguments: the folder to hide ({@code -} for
     * none), the replica's working folder, the files that join its control groups, {@code --}, then the app's argv.
     * In a mount namespace it covers the hidden folder with an empty one that holds only the path to the replica's own
     * folder (so that a tenant's user reaches its folder even when a folder above the data folder is closed to other
     * users, and sees nothing else there); in a PID namespace it stays as the namespace's first process, starts the
     * app as its child, passes SIGTERM, SIGINT and SIGHUP on and exits with the app's status; outside one it becomes
     * the app. Every failure is said on standard error, which is the replica's log, and ends it with 125.
     */
    static String script(boolean pidNamespace, String mount, String mkdir) {
        String hide = "if [ \"$hide\" != - ]; then exec 3<\"$work\" || fail \"cannot open $work\";"
                + " " + quote(mount)
                + " -t tmpfs -o mode=0755,size=1m emp-private \"$hide\" || fail \"cannot hide $hide\";"
                + " " + quote(mkdir) + " -p \"$work\" && " + quote(mount) + " -c --bind /proc/self/fd/3 \"$work\""
                + " || fail \"cannot show $work\"; exec 3<&-; cd \"$work\" || fail \"cannot enter $work\"; fi;";
        String start = pidNamespace
                ? " trap 'kill -TERM $child 2>/dev/null' TERM; trap 'kill -INT $child 2>/dev/null' INT;"
                        + " trap 'kill -HUP $child 2>/dev/null' HUP; \"$@\" & child=$!;"
                        + " while :; do wait $child; status=$?; kill -0 $child 2>/dev/null || exit $status; done"
                : " exec \"$@\"";
        return "fail() { echo \"emp: $1\" >&2; exit 125; }; hide=$1; work=$2; shift 2;"
                + " while [ \"$1\" != -- ]; do echo $$ > \"$1\" || fail \"cannot join the control group $1\"; shift; done;"
                + " shift; " + hide + start;
    }

    private static String quote(String path) {
        if (path.contains("'")) {
            throw new IllegalArgumentException("a path with a quote: " + path);
        }
        return "'" + path + "'";
    }

    private final List<String> unshare;
    private final String shell;
    private final String script;
    private final Cgroups cgroups;
    private final TenantUsers tenantUsers;
    /** The folder covered in each replica's mount namespace, or null for none. */
    private final Path hidden;

    private Confinement(
            List<String> unshare, String shell, String script, Cgroups cgroups, TenantUsers tenantUsers, Path hidden) {
        this.unshare = List.copyOf(unshare);
        this.shell = shell;
        this.script = script;
        this.cgroups = cgroups;
        this.tenantUsers = tenantUsers;
        this.hidden = hidden;
    }

    /** What this machine and {@code config} allow for the cluster whose data folder is {@code root}. */
    static Confinement open(LocalClusterConfig config, Path root) {
        boolean asRoot = TenantUsers.runsAsRoot();
        String path = System.getenv("PATH");
        Optional<String> shell = CommandLine.resolve("sh", path);
        List<String> missing = new ArrayList<>();
        List<String> unshare = List.of();
        if (config.namespaces()) {
            Optional<String> found = CommandLine.resolve("unshare", path);
            if (found.isEmpty() || shell.isEmpty()) {
                missing.add("PID namespaces (util-linux's unshare or sh is not on the PATH)");
            } else {
                List<String> candidate = new ArrayList<>(List.of(found.get()));
                if (!asRoot) {
                    candidate.add("--map-current-user");
                }
                candidate.addAll(List.of("--pid", "--fork", "--kill-child", "--mount-proc", "--"));
                Optional<String> refusal = tryRun(candidate, shell.get());
                if (refusal.isEmpty()) {
                    unshare = candidate;
                } else {
                    missing.add("PID namespaces (" + refusal.get() + ")");
                }
            }
        }
        Cgroups cgroups = null;
        if (config.cgroups()) {
            if (!asRoot || shell.isEmpty()) {
                missing.add("cgroups (the server is not root)");
            } else {
                try {
                    cgroups = Cgroups.open(CGROUP_MOUNT, "emp-" + digest(root), config.maxProcesses());
                } catch (IOException | RuntimeException e) {
                    missing.add("cgroups (" + e.getMessage() + ")");
                }
            }
        }
        TenantUsers users = null;
        if (config.sandbox() == LocalClusterConfig.Sandbox.TENANT_USERS
                || (config.sandbox() == LocalClusterConfig.Sandbox.AUTO && TenantUsers.available())) {
            users = TenantUsers.open(
                    root,
                    config.sandboxUidBase(),
                    config.sandboxUidCount(),
                    LocalClusterConfig.SECTION + "." + LocalClusterConfig.SANDBOX);
        } else if (config.sandbox() == LocalClusterConfig.Sandbox.AUTO) {
            missing.add("an OS user per tenant (needs the server to run as root and setpriv)");
        }
        Path hidden = null;
        String script = null;
        if (!unshare.isEmpty() || cgroups != null) {
            Optional<String> mount = CommandLine.resolve("mount", path);
            Optional<String> mkdir = CommandLine.resolve("mkdir", path);
            script = script(!unshare.isEmpty(), mount.orElse("mount"), mkdir.orElse("mkdir"));
            if (users != null && !unshare.isEmpty()) {
                hidden = closedAncestor(root).orElse(null);
                if (hidden != null && (mount.isEmpty() || mkdir.isEmpty())) {
                    missing.add("a way to their own folders under " + hidden + " (mount or mkdir is not on the PATH)");
                    hidden = null;
                }
            }
        }
        if (users != null && hidden == null && closedAncestor(root).isPresent()) {
            log.warn(
                    "the data folder {} is under {}, which other users may not pass: replicas reach their own folder"
                            + " by relative paths only; give the server a data folder every user may pass (chmod o+x)",
                    root,
                    closedAncestor(root).get());
        }
        Confinement confinement = new Confinement(unshare, shell.orElse("sh"), script, cgroups, users, hidden);
        log.info("replicas run {}", confinement.describe());
        if (!missing.isEmpty()) {
            log.warn(
                    "replicas run without {}: see the README's isolation section for what that leaves open",
                    String.join(", ", missing));
        }
        return confinement;
    }

    /** What a replica gets, for the server log. */
    String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(tenantUsers == null ? "as the server's OS user" : "as their tenant's own OS user");
        if (!unshare.isEmpty()) {
            parts.add("in PID and mount namespaces of their own");
        }
        if (cgroups != null) {
            parts.add("in a control group each (" + cgroups.describe() + ")");
        }
        return String.join(", ", parts);
    }

    boolean namespaces() {
        return !unshare.isEmpty();
    }

    boolean cgroups() {
        return cgroups != null;
    }

    /**
     * Readies the replica's folders and environment before it starts: its working folder (and, with tenant users,
     * its owner's alone) and {@code HOME}.
     */
    void prepare(AppRef app, Path workDir, Path logDir, Path root, Map<String, String> environment) throws IOException {
        Files.createDirectories(workDir);
        Files.createDirectories(logDir);
        if (tenantUsers != null) {
            environment.put("HOME", workDir.toAbsolutePath().toString());
            tenantUsers.own(app.owner(), workDir, root);
            TenantUsers.keepToServer(logDir);
        }
    }

    /** The argv that starts {@code argv} (its executable resolved) as replica {@code replicaId} of {@code app}. */
    List<String> command(AppRef app, String replicaId, Path workDir, List<String> argv, ResourceLimits limits)
            throws IOException {
        List<String> program = tenantUsers == null ? argv : tenantUsers.command(app.owner(), argv);
        if (unshare.isEmpty() && cgroups == null) {
            return program;
        }
        List<String> command = new ArrayList<>(unshare);
        command.addAll(List.of(
                shell,
                "-c",
                script,
                "emp-replica",
                hidden == null ? "-" : hidden.toString(),
                workDir.toAbsolutePath().normalize().toString()));
        if (cgroups != null) {
            cgroups.create(groupName(app, replicaId), limits).forEach(file -> command.add(file.toString()));
        }
        command.add("--");
        command.addAll(program);
        return command;
    }

    /**
     * Ends whatever replica {@code replicaId} left once its main process is gone: everything in its control group,
     * and every process still working in its folder, then removes its group.
     *
     * @return the pids killed
     */
    List<Long> release(AppRef app, String replicaId, Path workDir) {
        List<Long> killed = new ArrayList<>();
        if (cgroups != null) {
            try {
                killed.addAll(cgroups.remove(groupName(app, replicaId)));
            } catch (IOException | RuntimeException e) {
                log.warn("cannot remove the cgroup of replica {} of app '{}' ({})", replicaId, app, e.getMessage());
            }
        }
        killed.addAll(OrphanSweep.kill(
                workDir, Set.of(), "left running by replica " + replicaId + " of app '" + app + "' after it ended"));
        return killed;
    }

    /**
     * Ends the control groups of replicas an earlier run left without a record: every group but {@code kept}'s.
     *
     * @param kept the group names of the replicas adopted at this start, see {@link #groupName}
     */
    void sweep(Set<String> kept) {
        if (cgroups == null) {
            return;
        }
        try {
            for (String name : cgroups.names()) {
                if (!kept.contains(name)) {
                    Set<Long> killed = cgroups.remove(name);
                    if (!killed.isEmpty()) {
                        log.warn(
                                "killed {} left running in cgroup '{}' by an earlier run with no record of it",
                                killed,
                                name);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot sweep the replicas' cgroups ({})", e.getMessage());
        }
    }

    /**
     * Why a tenant's user could not use a file the command names, if it could not: with tenant users, every absolute
     * path in {@code argv} (whole, after a {@code =}, or in a {@code :}-separated list) that exists must be readable
     * by other users (and the program executable), through folders they may pass.
     */
    Optional<String> unreachable(List<String> argv) {
        if (tenantUsers == null) {
            return Optional.empty();
        }
        for (int i = 0; i < argv.size(); i++) {
            String argument = argv.get(i);
            List<String> candidates = new ArrayList<>(List.of(argument));
            int equals = argument.indexOf('=');
            String value = equals >= 0 ? argument.substring(equals + 1) : argument;
            candidates.addAll(List.of(value.split(":")));
            for (String candidate : candidates) {
                if (!candidate.startsWith("/")) {
                    continue;
                }
                Optional<String> why = unreachable(Path.of(candidate), i == 0);
                if (why.isPresent()) {
                    return Optional.of("'" + candidate + "' " + why.get());
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> unreachable(Path file, boolean program) {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        if (hidden != null && path.startsWith(hidden)) {
            return Optional.of("is under " + hidden + ", which replicas do not see");
        }
        try {
            for (Path at = path.getParent(); at != null; at = at.getParent()) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(at);
                if (!mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of("is under " + at + ", which other users may not pass ("
                            + PosixFilePermissions.toString(mode) + ")");
                }
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            boolean folder = Files.isDirectory(path);
            if (!mode.contains(PosixFilePermission.OTHERS_READ)
                    || ((program || folder) && !mode.contains(PosixFilePermission.OTHERS_EXECUTE))) {
                return Optional.of("is not " + (program ? "executable" : "readable") + " by other users ("
                        + PosixFilePermissions.toString(mode) + ")");
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The highest folder above {@code root} that other users may not pass (no {@code o+x}), if any: a tenant's user
     * could not reach its replica's folder by its full path through it.
     */
    static Optional<Path> closedAncestor(Path root) {
        Path closed = null;
        for (Path at = root.toAbsolutePath().normalize().getParent(); at != null; at = at.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(at).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    closed = at;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(closed);
    }

    /** The control group of a replica: its owner and id, with anything but letters, digits, {@code -} and {@code _}
     * escaped, so that distinct replicas never share one. */
    static String groupName(AppRef app, String replicaId) {
        return escape(app.owner()) + "." + escape(replicaId);
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                escaped.append(c);
            } else {
                escaped.append('_').append(HexFormat.of().toHexDigits(b));
            }
        }
        return escaped.toString();
    }

    private static String digest(Path root) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(root.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Runs {@code sh -c true} under {@code prefix}; empty when it worked, else why not. */
    private static Optional<String> tryRun(List<String> prefix, String shell) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(shell, "-c", "true"));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of("unshare did not finish within 10s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.exitValue() == 0
                    ? Optional.empty()
                    : Optional.of("the kernel refused: " + (output.isEmpty() ? "exit " + process.exitValue() : output));
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }
}
