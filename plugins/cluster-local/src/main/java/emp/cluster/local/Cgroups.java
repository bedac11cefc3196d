package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A control group per replica, under one group of the cluster's, where the kernel lets the server make them (it runs
 * as root and the hierarchy is mounted writable): the replica's limits from its spec's {@code resources}, a cap on
 * its processes (a fork bomb stays inside), and a list of every process it started, however it detached, so that
 * stop and remove kill them all. Both hierarchies are spoken: cgroup v2 ({@code memory.max}, {@code cpu.max},
 * {@code pids.max} in one tree) and v1 (a tree per controller: {@code memory.limit_in_bytes}, {@code
 * cpu.cfs_quota_us}, {@code pids.max}). A process joins by writing its pid to the files {@link #create} returns
 * before it starts the app, and its children follow. Thread-safe: each replica's group is its own.
 */
final class Cgroups {
    /** The period of cpu bandwidth control: a replica gets {@code cpuMillis / 1000} of it per period. */
    static final long CPU_PERIOD_MICROS = 100_000;

    private static final List<String> V1_CONTROLLERS = List.of("pids", "memory", "cpu");

    private final Path mount;
    private final boolean v2;
    private final String group;
    private final long maxProcesses;
    /** The controllers' trees under the cluster's group, in the order listed: v2 has one. */
    private final List<Path> trees;

    private Cgroups(Path mount, boolean v2, String group, long maxProcesses, List<Path> trees) {
        this.mount = mount;
        this.v2 = v2;
        this.group = group;
        this.maxProcesses = maxProcesses;
        this.trees = trees;
    }

    /**
     * The cluster's group {@code group} under the hierarchy mounted at {@code mount} ({@code /sys/fs/cgroup}), made
     * if missing.
     *
     * @throws IOException saying why when no hierarchy is there or the server may not write it
     */
    static Cgroups open(Path mount, String group, long maxProcesses) throws IOException {
        requireNonNull(mount, "mount is null");
        requireNonNull(group, "group is null");
        if (Files.isRegularFile(mount.resolve("cgroup.controllers"))) {
            Set<String> available = words(mount.resolve("cgroup.controllers"));
            if (!available.containsAll(List.of("memory", "cpu", "pids"))) {
                throw new IOException("the cgroup v2 hierarchy at " + mount + " offers only " + available
                        + "; memory, cpu and pids are needed");
            }
            Path tree = mount.resolve(group);
            enableControllers(mount);
            Files.createDirectories(tree);
            enableControllers(tree);
            return new Cgroups(mount, true, group, maxProcesses, List.of(tree));
        }
        List<Path> trees = new ArrayList<>();
        for (String controller : V1_CONTROLLERS) {
            Path hierarchy = mount.resolve(controller);
            if (!Files.isRegularFile(hierarchy.resolve("cgroup.procs"))) {
                throw new IOException("no cgroup v2 hierarchy at " + mount + " and no v1 '" + controller
                        + "' controller at " + hierarchy);
            }
            Path tree = hierarchy.resolve(group);
            Files.createDirectories(tree);
            trees.add(tree);
        }
        return new Cgroups(mount, false, group, maxProcesses, List.copyOf(trees));
    }

    /** {@code cgroup v2 at /sys/fs/cgroup/emp-1a2b} or the v1 form, for the server log. */
    String describe() {
        return (v2
                ? "cgroup v2 at " + mount.resolve(group)
                : "cgroup v1 (pids, memory, cpu) under " + mount + "/*/" + group);
    }

    /**
     * Makes the group {@code name} (emptied of any earlier limit) with {@code limits} and the process cap.
     *
     * @return the files a process writes its pid to, to join it
     */
    List<Path> create(String name, ResourceLimits limits) throws IOException {
        List<Path> join = new ArrayList<>();
        for (Path tree : trees) {
            Path leaf = leaf(tree, name);
            Files.createDirectories(leaf);
            join.add(leaf.resolve("cgroup.procs"));
        }
        if (v2) {
            Path leaf = leaf(trees.get(0), name);
            write(leaf.resolve("pids.max"), Long.toString(maxProcesses));
            write(leaf.resolve("memory.max"), limits.memoryBytes() > 0 ? Long.toString(limits.memoryBytes()) : "max");
            write(
                    leaf.resolve("cpu.max"),
                    (limits.cpuMillis() > 0 ? Long.toString(quotaMicros(limits)) : "max") + " " + CPU_PERIOD_MICROS);
        } else {
            write(leaf(trees.get(0), name).resolve("pids.max"), Long.toString(maxProcesses));
            Path memory = leaf(trees.get(1), name);
            // -1 is v1's "no limit"; writing it also lifts a limit an earlier run of this replica set.
            write(
                    memory.resolve("memory.limit_in_bytes"),
                    limits.memoryBytes() > 0 ? Long.toString(limits.memoryBytes()) : "-1");
            Path cpu = leaf(trees.get(2), name);
            write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
            write(cpu.resolve("cpu.cfs_quota_us"), limits.cpuMillis() > 0 ? Long.toString(quotaMicros(limits)) : "-1");
        }
        return join;
    }

    /** The pids in the group {@code name}; none when it does not exist. */
    Set<Long> processes(String name) throws IOException {
        Set<Long> pids = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(leaf(trees.get(0), name).resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            return Set.of();
        }
        return pids;
    }

    /** The names of the groups there are, whether or not a replica is known for them. */
    Set<String> names() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        try (Stream<Path> children = Files.list(trees.get(0))) {
            children.filter(Files::isDirectory)
                    .forEach(child -> names.add(child.getFileName().toString()));
        }
        return names;
    }

    /**
     * Kills every process left in {@code name} (SIGKILL) and removes the group, waiting up to about a second for the
     * killed to leave it.
     *
     * @return the pids killed; the group is gone unless an IOException says otherwise
     */
    Set<Long> remove(String name) throws IOException {
        Set<Long> killed = new LinkedHashSet<>();
        for (int attempt = 0; ; attempt++) {
            Set<Long> left = processes(name);
            for (long pid : left) {
                ProcessHandle.of(pid).ifPresent(process -> {
                    if (process.destroyForcibly()) {
                        killed.add(pid);
                    }
                });
            }
            try {
                for (Path tree : trees) {
                    Files.deleteIfExists(leaf(tree, name));
                }
                return killed;
            } catch (FileSystemException e) {
                // Killed processes leave the group as they exit: a moment later it can go.
                if (attempt >= 40) {
                    throw new IOException("cgroup '" + name + "' still holds " + processes(name) + " after SIGKILL", e);
                }
                try {
                    Thread.sleep(25);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while removing cgroup '" + name + "'", interrupted);
                }
            }
        }
    }

    private static long quotaMicros(ResourceLimits limits) {
        return Math.max(1000, limits.cpuMillis() * CPU_PERIOD_MICROS / 1000);
    }

    private static Path leaf(Path tree, String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a cgroup name: '" + name + "'");
        }
        return tree.resolve(name);
    }

    /** Lets the groups under {@code folder} use memory, cpu and pids (v2 enables controllers per level). */
    private static void enableControllers(Path folder) throws IOException {
        Set<String> enabled = words(folder.resolve("cgroup.subtree_control"));
        if (!enabled.containsAll(List.of("memory", "cpu", "pids"))) {
            write(folder.resolve("cgroup.subtree_control"), "+memory +cpu +pids");
        }
    }

    private static Set<String> words(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? Set.of() : Set.of(text.split("\\s+"));
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }
}
