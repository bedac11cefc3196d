package emp.host.plugin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import emp.host.JsonCodec;
import emp.host.auth.AuditLog;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does with plugins while the platform runs: install a jar (checked first; a newer version of an
 * installed plugin upgrades it), remove one, and choose the scheduler or the trace source, which are swapped without a
 * restart ({@link HotSwap}). A cluster manager or state store in use is never swapped under the running apps: a new
 * version of its plugin is staged for the next start, and choosing another says to restart. Every change goes to the
 * audit log; what is chosen is kept in the store, where every server of the platform follows it within
 * {@link #FOLLOW_INTERVAL} (each server runs its own trace source, and the leading server's scaling loop uses the
 * scheduler, whichever server the operator asked) and chooses it again at its next start, unless its configuration's
 * {@code scheduler.use} or {@code tracing.use} changed since.
 */
public final class PluginAdmin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginAdmin.class);
    private static final String COLLECTION = "platform";
    private static final String CHOICE = "plugin-choice/";

    private final PluginHost host;
    private final StateStore store;
    private final AuditLog audit;
    private final Map<ExtensionPointKind, String> active;
    /**
     * What {@code scheduler.use} and {@code tracing.use} said at this start: a choice made now is kept while they say
     * the same.
     */
    private final Map<ExtensionPointKind, String> configured;

    /** How often a server looks whether an operator chose another extension through another server. */
    static final Duration FOLLOW_INTERVAL = Duration.ofSeconds(2);

    private volatile Map<ExtensionPointKind, HotSwap> swaps = Map.of();
    private final ScheduledExecutorService follower = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-plugin-choice");
        thread.setDaemon(true);
        return thread;
    });
    /** What kept the last choice from being followed, so that it is logged once. */
    private String lastFollowProblem;

    /** The extension chosen with {@code emp plugins use}, and what the configuration said when it was chosen. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Choice(String name, String configured) {}

    /** What an install did. */
    public enum Outcome {
        /** A new plugin, loaded: its extensions can be chosen now. */
        INSTALLED,
        /**
         * A newer version replaced the loaded one now; the scheduler or trace source it provided, if active, is the new
         * version's.
         */
        UPGRADED,
        /** A newer version of a plugin in use that cannot be swapped under running apps: it loads at the next start. */
        STAGED
    }

    /** The answer of an install: the plugin as it is now (or will be) and what happened. */
    public record Installed(String id, String version, Outcome outcome, List<PluginJar.Offered> extensions) {}

    /**
     * @param active     what each extension point uses now; this admin changes the swappable ones' entries
     * @param configured what the configuration says each swappable point uses ({@code scheduler.use}, {@code
     *                   tracing.use})
     */
    public PluginAdmin(
            PluginHost host,
            StateStore store,
            AuditLog audit,
            Map<ExtensionPointKind, String> active,
            Map<ExtensionPointKind, String> configured) {
        this.host = requireNonNull(host, "host is null");
        this.store = requireNonNull(store, "store is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.active = new EnumMap<>(requireNonNull(active, "active is null"));
        this.configured = Map.copyOf(requireNonNull(configured, "configured is null"));
    }

    /**
     * What {@code kind} starts with: the extension chosen with {@code emp plugins use} while {@code configured} was the
     * configuration's, else {@code configured}.
     */
    public static String starting(StateStore store, ExtensionPointKind kind, String configured) {
        Optional<Choice> choice = choice(store, kind);
        if (choice.isPresent() && configured.equals(choice.get().configured())) {
            log.info(
                    "{} '{}', as an operator chose with 'emp plugins use' ({} says '{}')",
                    kind.point(),
                    choice.get().name(),
                    kind.choice().key(),
                    configured);
            return choice.get().name();
        }
        return configured;
    }

    /**
     * Hands chosen extensions to the points that swap them from now on (the scaling loop, the trace source), and
     * follows the choices made through other servers.
     */
    public void attach(Map<ExtensionPointKind, HotSwap> points) {
        this.swaps = Map.copyOf(requireNonNull(points, "points is null"));
        follower.scheduleWithFixedDelay(
                this::followSafely, FOLLOW_INTERVAL.toMillis(), FOLLOW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes what the store says an operator chose, where it is not active here: a choice made through another server
     * of the platform. One whose plugin is not installed on this server is left, and said once.
     */
    synchronized void follow() {
        for (Map.Entry<ExtensionPointKind, HotSwap> point : swaps.entrySet()) {
            ExtensionPointKind kind = point.getKey();
            Optional<Choice> choice = choice(store, kind);
            if (choice.isEmpty()
                    || !Objects.equals(choice.get().configured(), configured.get(kind))
                    || choice.get().name().equals(active.get(kind))) {
                continue;
            }
            String name = choice.get().name();
            if (!name.equals("none") && !host.provides(kind, name)) {
                String problem = kind.point() + " '" + name + "', chosen through another server, is not installed on"
                        + " this one; install its plugin on this server too (emp plugins install, with --server naming"
                        + " this one)";
                if (!problem.equals(lastFollowProblem)) {
                    log.warn(problem);
                }
                lastFollowProblem = problem;
                continue;
            }
            swap(kind, name);
            lastFollowProblem = null;
            log.info("{} '{}', chosen through another server of the platform, is active here too", kind.point(), name);
        }
    }

    private void followSafely() {
        try {
            follow();
        } catch (PlatformException e) {
            if (!e.getMessage().equals(lastFollowProblem)) {
                log.warn("cannot follow what an operator chose for the platform: {}", e.getMessage());
            }
            lastFollowProblem = e.getMessage();
        } catch (RuntimeException e) {
            log.error("following what an operator chose for the platform failed", e);
        }
    }

    @Override
    public void close() {
        follower.shutdownNow();
    }

    public synchronized List<PluginInfo> describe() {
        return host.describe(active);
    }

    /** Jars staged for the next start, by plugin id and version. */
    public Map<String, String> staged() {
        return host.staged();
    }

    /**
     * Checks and takes a plugin jar.
     *
     * @param actor   the operator, for the audit log
     * @param address where the request came from
     * @throws PlatformException INVALID for a jar that is not a plugin for this host, CONFLICT for one whose id is
     *                           loaded at the same or a newer version
     */
    public synchronized Installed install(byte[] jarBytes, String actor, String address) {
        Path jar = temporaryJar(jarBytes);
        try {
            PluginJar checked = PluginJar.inspect(jar);
            Optional<String> installed = host.version(checked.id());
            if (installed.isEmpty()) {
                requireNoNameClash(checked);
                host.add(jar, checked);
                audit.record(
                        "plugin-install",
                        actor,
                        address,
                        "installed plugin '" + checked.id() + "' " + checked.version() + " (" + offered(checked) + ")");
                return new Installed(checked.id(), checked.version(), Outcome.INSTALLED, checked.extensions());
            }
            if (!host.newer(checked.version(), installed.get())) {
                throw PlatformException.conflict("plugin '" + checked.id() + "' " + installed.get()
                        + " is installed; install a newer version to upgrade it, or 'emp plugins remove "
                        + checked.id() + "' first");
            }
            return upgrade(jar, checked, installed.get(), actor, address);
        } finally {
            deleteQuietly(jar);
        }
    }

    /**
     * Unloads and deletes a plugin.
     *
     * @throws PlatformException NOT_FOUND for an id not loaded, CONFLICT for a plugin whose extension is in use
     */
    public synchronized void remove(String id, String actor, String address) {
        if (host.version(id).isEmpty()) {
            throw PlatformException.notFound("no plugin '" + id + "' is installed; 'emp plugins' lists them");
        }
        for (LoadedExtension extension : host.extensionsOf(id)) {
            if (inUse(extension)) {
                throw PlatformException.conflict(
                        "plugin '" + id + "' provides the " + extension.kind().point() + " in use ('" + extension.name()
                                + "'); " + switchAway(extension.kind()) + " first");
            }
        }
        host.remove(id);
        audit.record("plugin-remove", actor, address, "removed plugin '" + id + "'");
    }

    /**
     * Makes {@code name} the {@code point}'s active extension: for the scheduler and the trace source at once, without
     * a restart.
     *
     * @throws PlatformException NOT_FOUND for an unknown point, INVALID for a name no plugin provides or one that does
     *                           not start (the active one stays), CONFLICT for a point that cannot be swapped while
     *                           apps run, UNAVAILABLE while the server starts
     */
    public synchronized void use(String point, String name, String actor, String address) {
        ExtensionPointKind kind = kind(point);
        if (name.equals(active.get(kind))) {
            return;
        }
        if (!kind.swappable()) {
            throw PlatformException.conflict("the " + kind.point() + " cannot be swapped under running apps; restart"
                    + " the server with --" + kind.point() + " " + name);
        }
        if (!name.equals("none")) {
            host.select(kind, name);
        }
        String before = active.get(kind);
        swap(kind, name);
        store.commit(Write.update(
                COLLECTION, CHOICE + kind.point(), JsonCodec.write(new Choice(name, configured.get(kind))), Write.ANY));
        audit.record(
                "plugin-use",
                actor,
                address,
                kind.point() + " '" + name + "' replaces '" + before + "'"
                        + (kind == ExtensionPointKind.TRACING
                                ? " (apps' replicas roll where it gives them other variables)"
                                : ""));
    }

    /** The name of the extension each point uses now. */
    public synchronized Map<ExtensionPointKind, String> active() {
        return Map.copyOf(active);
    }

    private Installed upgrade(Path jar, PluginJar checked, String from, String actor, String address) {
        List<LoadedExtension> current = host.extensionsOf(checked.id());
        String what = "plugin '" + checked.id() + "' " + from + " -> " + checked.version();
        if (current.stream().anyMatch(extension -> !extension.kind().swappable() && inUse(extension))) {
            host.stage(jar, checked);
            audit.record("plugin-install", actor, address, what + ", staged for the next start (in use)");
            return new Installed(checked.id(), checked.version(), Outcome.STAGED, checked.extensions());
        }
        List<LoadedExtension> activeHere = current.stream().filter(this::inUse).toList();
        for (LoadedExtension extension : activeHere) {
            if (checked.extensions().stream()
                    .noneMatch(offer ->
                            offer.kind() == extension.kind() && offer.name().equals(extension.name()))) {
                throw PlatformException.conflict("plugin '" + checked.id() + "' " + checked.version()
                        + " no longer provides " + extension.kind().point() + " '" + extension.name() + "', which is"
                        + " in use; 'emp plugins use " + extension.kind().point() + " NAME' another first");
            }
        }
        for (LoadedExtension extension : activeHere) {
            // The old version's extension stops being called before its plugin goes.
            requireSwap(extension.kind()).pause();
        }
        // The old version's jar is kept aside until the new one runs, to come back if the new one does not load or
        // its extensions in use do not start.
        Path previous = host.jarOf(checked.id()).map(PluginAdmin::keepAside).orElse(null);
        host.remove(checked.id());
        try {
            host.add(jar, checked);
            startAgain(activeHere, checked);
        } catch (RuntimeException | LinkageError e) {
            host.remove(checked.id());
            if (previous != null) {
                host.add(previous, PluginJar.inspect(previous));
                log.warn(
                        "plugin '{}' {} did not load or start; {} is back: {}",
                        checked.id(),
                        checked.version(),
                        from,
                        e.getMessage());
            }
            resume(activeHere);
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        } finally {
            deleteQuietly(previous);
        }
        audit.record("plugin-install", actor, address, what + ", upgraded now");
        return new Installed(checked.id(), checked.version(), Outcome.UPGRADED, checked.extensions());
    }

    /**
     * Starts what {@link #upgrade} paused from the new version; should one not start, every point is paused again (the
     * old version comes back) and the refusal says which.
     */
    private void startAgain(List<LoadedExtension> paused, PluginJar checked) {
        for (int i = 0; i < paused.size(); i++) {
            LoadedExtension extension = paused.get(i);
            try {
                requireSwap(extension.kind()).resume(extension.name());
            } catch (RuntimeException | LinkageError e) {
                for (int j = 0; j <= i; j++) {
                    requireSwap(paused.get(j).kind()).pause();
                }
                throw PlatformException.invalid(
                        null,
                        "plugin '" + checked.id() + "' " + checked.version() + ": its "
                                + extension.kind().point()
                                + " '" + extension.name() + "', which is in use, does not start (" + e
                                + "); the installed version stays");
            }
        }
    }

    /**
     * Starts again, after a failed upgrade, what {@link #upgrade} paused, from the version loaded now; one that does not
     * start leaves its point with none, said in the log and by {@code emp plugins}.
     */
    private void resume(List<LoadedExtension> paused) {
        for (LoadedExtension extension : paused) {
            ExtensionPointKind kind = extension.kind();
            String name = extension.name();
            try {
                requireSwap(kind).resume(host.provides(kind, name) ? name : "none");
            } catch (RuntimeException | LinkageError e) {
                log.error(
                        "{} '{}' does not start again; the {} is none until an operator chooses one: {}",
                        kind.point(),
                        name,
                        kind.point(),
                        e.toString());
                active.put(kind, "none");
                continue;
            }
            if (!host.provides(kind, name)) {
                active.put(kind, "none");
            }
        }
    }

    /** Makes {@code name} active at {@code kind}; one that does not start leaves the active one, saying why. */
    private void swap(ExtensionPointKind kind, String name) {
        try {
            requireSwap(kind).use(name);
        } catch (PlatformException e) {
            if (e.category() == ErrorCategory.UNAVAILABLE) {
                throw e;
            }
            throw doesNotStart(kind, name, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            throw doesNotStart(kind, name, e.toString());
        }
        active.put(kind, name);
    }

    private static PlatformException doesNotStart(ExtensionPointKind kind, String name, String why) {
        return PlatformException.invalid(
                "name", kind.point() + " '" + name + "' does not start: " + why + "; the active one stays");
    }

    private boolean inUse(LoadedExtension extension) {
        return extension.name().equals(active.get(extension.kind()));
    }

    private HotSwap requireSwap(ExtensionPointKind kind) {
        HotSwap swap = swaps.get(kind);
        if (swap == null) {
            throw PlatformException.unavailable("the server is starting; try again in a moment", null);
        }
        return swap;
    }

    private static Optional<Choice> choice(StateStore store, ExtensionPointKind kind) {
        return store.get(COLLECTION, CHOICE + kind.point())
                .map(entry -> JsonCodec.readStored(entry.value(), Choice.class));
    }

    /** The extensions of another plugin with the same point and name would make a choice ambiguous. */
    private void requireNoNameClash(PluginJar checked) {
        for (PluginJar.Offered offer : checked.extensions()) {
            for (PluginInfo plugin : host.describe(active)) {
                for (PluginInfo.Extension extension : plugin.extensions()) {
                    if (extension.point().equals(offer.kind().point())
                            && extension.name().equals(offer.name())) {
                        throw PlatformException.conflict("plugin '" + plugin.id() + "' already provides "
                                + offer.kind().point() + " '" + offer.name() + "'; rename it in plugin '"
                                + checked.id() + "', or remove '" + plugin.id() + "' first");
                    }
                }
            }
        }
    }

    private static ExtensionPointKind kind(String point) {
        for (ExtensionPointKind kind : ExtensionPointKind.values()) {
            if (kind.point().equals(point)) {
                return kind;
            }
        }
        throw PlatformException.notFound(
                "there is no extension point '" + point + "'; there are cluster, store, tracing and scheduler");
    }

    private static String switchAway(ExtensionPointKind kind) {
        return kind.swappable()
                ? "'emp plugins use " + kind.point() + " none' (or another)"
                : "restart the server with another --" + kind.point();
    }

    private static String offered(PluginJar checked) {
        return String.join(
                ", ",
                checked.extensions().stream()
                        .map(offer -> offer.kind().point() + " '" + offer.name() + "'")
                        .toList());
    }

    private static Path keepAside(Path jar) {
        try {
            Path copy = Files.createTempFile("emp-plugin-previous", ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the installed plugin jar aside during its upgrade", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", file, e.getMessage());
        }
    }

    private static Path temporaryJar(byte[] bytes) {
        try {
            Path jar = Files.createTempFile("emp-plugin-upload", ".jar");
            Files.write(jar, bytes);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the uploaded jar in a temporary file", e);
        }
    }
}
