package emp.host.plugin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import emp.host.JsonCodec;
import emp.host.auth.AuditLog;
import emp.spi.PlatformException;
import emp.spi.scheduler.Scheduler;
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
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does with plugins while the platform runs: install a jar (checked first; a newer version of an
 * installed plugin upgrades it), remove one, and choose the scheduler, which takes over from the next tick of the
 * scaling loop without a restart. A cluster manager, state store or trace source in use is never swapped under the
 * running apps: a new version of its plugin is staged for the next start, and choosing another says to restart.
 * Every change goes to the audit log; the scheduler chosen is kept in the store, where every server of the platform
 * follows it within {@link #FOLLOW_INTERVAL} (so the leading server's scaling loop uses it, whichever server the
 * operator asked) and chooses it again at its next start, unless its configuration's {@code scheduler.use} changed
 * since.
 */
public final class PluginAdmin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginAdmin.class);
    private static final String COLLECTION = "platform";
    private static final String CHOICE = "plugin-choice/scheduler";

    private final PluginHost host;
    private final StateStore store;
    private final AuditLog audit;
    private final Map<ExtensionPointKind, String> active;
    private final Function<LoadedExtension, Scheduler> schedulers;
    /** What {@code scheduler.use} said at this start: a choice made now is kept while it says the same. */
    private final String configuredScheduler;

    /** How often a server looks whether an operator chose another scheduler through another server. */
    static final Duration FOLLOW_INTERVAL = Duration.ofSeconds(2);

    private volatile SchedulerSwitch loop;
    private final ScheduledExecutorService follower = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-plugin-choice");
        thread.setDaemon(true);
        return thread;
    });
    /** What kept the last choice from being followed, so that it is logged once. */
    private String lastFollowProblem;

    /** Where a chosen scheduler goes: the scaling loop, once it runs. */
    @FunctionalInterface
    public interface SchedulerSwitch {
        void use(Scheduler scheduler, String name);
    }

    /** The scheduler chosen with {@code emp plugins use}, and what {@code scheduler.use} said when it was chosen. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Choice(String name, String configured) {}

    /** What an install did. */
    public enum Outcome {
        /** A new plugin, loaded: its extensions can be chosen now. */
        INSTALLED,
        /** A newer version replaced the loaded one now; the scheduler it provided, if active, is the new version's. */
        UPGRADED,
        /** A newer version of a plugin in use that cannot be swapped under running apps: it loads at the next start. */
        STAGED
    }

    /** The answer of an install: the plugin as it is now (or will be) and what happened. */
    public record Installed(String id, String version, Outcome outcome, List<PluginJar.Offered> extensions) {}

    /**
     * @param active     what each extension point uses now; this admin changes the scheduler's entry
     * @param schedulers makes a scheduler of an extension, as the server does at start
     * @param configuredScheduler what {@code scheduler.use} says
     */
    public PluginAdmin(
            PluginHost host,
            StateStore store,
            AuditLog audit,
            Map<ExtensionPointKind, String> active,
            Function<LoadedExtension, Scheduler> schedulers,
            String configuredScheduler) {
        this.host = requireNonNull(host, "host is null");
        this.store = requireNonNull(store, "store is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.active = new EnumMap<>(requireNonNull(active, "active is null"));
        this.schedulers = requireNonNull(schedulers, "schedulers is null");
        this.configuredScheduler = requireNonNull(configuredScheduler, "configuredScheduler is null");
    }

    /**
     * The scheduler to start with: the one chosen with {@code emp plugins use} while {@code configured} was the
     * configuration's, else {@code configured}.
     */
    public static String startingScheduler(StateStore store, String configured) {
        Optional<Choice> choice =
                store.get(COLLECTION, CHOICE).map(entry -> JsonCodec.readStored(entry.value(), Choice.class));
        if (choice.isPresent() && configured.equals(choice.get().configured())) {
            log.info(
                    "scheduler '{}', as an operator chose with 'emp plugins use' (scheduler.use says '{}')",
                    choice.get().name(),
                    configured);
            return choice.get().name();
        }
        return configured;
    }

    /** Hands chosen schedulers to the scaling loop from now on, and follows the choices made through other servers. */
    public void attach(SchedulerSwitch scalingLoop) {
        this.loop = requireNonNull(scalingLoop, "scalingLoop is null");
        follower.scheduleWithFixedDelay(
                this::followSafely, FOLLOW_INTERVAL.toMillis(), FOLLOW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the scheduler that the store says an operator chose, when it is not the active one here: a choice made
     * through another server of the platform. One whose plugin is not installed on this server is left, and said once.
     */
    synchronized void follow() {
        Optional<Choice> choice =
                store.get(COLLECTION, CHOICE).map(entry -> JsonCodec.readStored(entry.value(), Choice.class));
        if (choice.isEmpty()
                || !configuredScheduler.equals(choice.get().configured())
                || choice.get().name().equals(active.get(ExtensionPointKind.SCHEDULER))) {
            return;
        }
        String name = choice.get().name();
        if (!name.equals("none") && !host.provides(ExtensionPointKind.SCHEDULER, name)) {
            String problem = "scheduler '" + name + "', chosen through another server, is not installed on this one;"
                    + " install its plugin on this server too (emp plugins install, with --server naming this one)";
            if (!problem.equals(lastFollowProblem)) {
                log.warn(problem);
            }
            lastFollowProblem = problem;
            return;
        }
        requireLoop().use(name.equals("none") ? view -> List.of() : startScheduler(name), name);
        active.put(ExtensionPointKind.SCHEDULER, name);
        lastFollowProblem = null;
        log.info("scheduler '{}', chosen through another server of the platform, is active here too", name);
    }

    private void followSafely() {
        try {
            follow();
        } catch (PlatformException e) {
            if (!e.getMessage().equals(lastFollowProblem)) {
                log.warn("cannot follow the scheduler chosen for the platform: {}", e.getMessage());
            }
            lastFollowProblem = e.getMessage();
        } catch (RuntimeException e) {
            log.error("following the scheduler chosen for the platform failed", e);
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
            if (extension.name().equals(active.get(extension.kind()))) {
                throw PlatformException.conflict(
                        "plugin '" + id + "' provides the " + extension.kind().point() + " in use ('" + extension.name()
                                + "'); " + switchAway(extension.kind()) + " first");
            }
        }
        host.remove(id);
        audit.record("plugin-remove", actor, address, "removed plugin '" + id + "'");
    }

    /**
     * Makes {@code name} the {@code point}'s active extension: for the scheduler at once, without a restart.
     *
     * @throws PlatformException NOT_FOUND for an unknown point, INVALID for a name no plugin provides, CONFLICT for a
     *                           point that cannot be swapped while apps run, UNAVAILABLE while the loop starts
     */
    public synchronized void use(String point, String name, String actor, String address) {
        ExtensionPointKind kind = kind(point);
        if (name.equals(active.get(kind))) {
            return;
        }
        if (kind != ExtensionPointKind.SCHEDULER) {
            throw PlatformException.conflict("the " + kind.point() + " cannot be swapped under running apps; restart"
                    + " the server with --" + kind.point() + " " + name
                    + (kind == ExtensionPointKind.TRACING
                            ? " (the apps' replicas are given the trace source's address at start)"
                            : ""));
        }
        SchedulerSwitch scalingLoop = loop;
        if (scalingLoop == null) {
            throw PlatformException.unavailable("the scaling loop is starting; try again in a moment", null);
        }
        Scheduler next = name.equals("none") ? view -> List.of() : startScheduler(name);
        scalingLoop.use(next, name);
        String before = active.put(kind, name);
        store.commit(
                Write.update(COLLECTION, CHOICE, JsonCodec.write(new Choice(name, configuredScheduler)), Write.ANY));
        audit.record("plugin-use", actor, address, "scheduler '" + name + "' replaces '" + before + "'");
    }

    /** The name of the extension each point uses now. */
    public synchronized Map<ExtensionPointKind, String> active() {
        return Map.copyOf(active);
    }

    private Installed upgrade(Path jar, PluginJar checked, String from, String actor, String address) {
        List<LoadedExtension> current = host.extensionsOf(checked.id());
        boolean pinned = current.stream()
                .anyMatch(extension -> extension.kind() != ExtensionPointKind.SCHEDULER
                        && extension.name().equals(active.get(extension.kind())));
        String what = "plugin '" + checked.id() + "' " + from + " -> " + checked.version();
        if (pinned) {
            host.stage(jar, checked);
            audit.record("plugin-install", actor, address, what + ", staged for the next start (in use)");
            return new Installed(checked.id(), checked.version(), Outcome.STAGED, checked.extensions());
        }
        String scheduler = active.get(ExtensionPointKind.SCHEDULER);
        boolean activeScheduler = current.stream()
                .anyMatch(extension -> extension.kind() == ExtensionPointKind.SCHEDULER
                        && extension.name().equals(scheduler));
        if (activeScheduler
                && checked.extensions().stream()
                        .noneMatch(offer -> offer.kind() == ExtensionPointKind.SCHEDULER
                                && offer.name().equals(scheduler))) {
            throw PlatformException.conflict("plugin '" + checked.id() + "' " + checked.version()
                    + " no longer provides scheduler '" + scheduler + "', which is in use; 'emp plugins use scheduler"
                    + " NAME' another first");
        }
        if (activeScheduler) {
            // The old version's scheduler stops being called before its plugin goes.
            requireLoop().use(view -> List.of(), "none (upgrading " + checked.id() + ")");
        }
        // The old version's jar is kept aside until the new one runs, to come back if the new one does not load.
        Path previous = host.jarOf(checked.id()).map(PluginAdmin::keepAside).orElse(null);
        host.remove(checked.id());
        try {
            host.add(jar, checked);
        } catch (RuntimeException e) {
            if (previous != null) {
                host.add(previous, PluginJar.inspect(previous));
                log.warn(
                        "plugin '{}' {} did not load; {} is back: {}",
                        checked.id(),
                        checked.version(),
                        from,
                        e.getMessage());
            }
            throw e;
        } finally {
            deleteQuietly(previous);
            if (activeScheduler) {
                String now = host.version(checked.id()).isPresent() ? scheduler : "none";
                Scheduler next = now.equals("none") ? view -> List.of() : startScheduler(now);
                requireLoop().use(next, now);
                active.put(ExtensionPointKind.SCHEDULER, now);
            }
        }
        audit.record("plugin-install", actor, address, what + ", upgraded now");
        return new Installed(checked.id(), checked.version(), Outcome.UPGRADED, checked.extensions());
    }

    private Scheduler startScheduler(String name) {
        LoadedExtension extension = host.select(ExtensionPointKind.SCHEDULER, name);
        try {
            return schedulers.apply(extension);
        } catch (PlatformException e) {
            throw PlatformException.invalid(
                    "name", "scheduler '" + name + "' does not start: " + e.getMessage() + "; the active one stays");
        } catch (RuntimeException | LinkageError e) {
            throw PlatformException.invalid(
                    "name", "scheduler '" + name + "' does not start: " + e + "; the active one stays");
        }
    }

    private SchedulerSwitch requireLoop() {
        SchedulerSwitch scalingLoop = loop;
        if (scalingLoop == null) {
            throw PlatformException.unavailable("the scaling loop is starting; try again in a moment", null);
        }
        return scalingLoop;
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
        return kind == ExtensionPointKind.SCHEDULER
                ? "'emp plugins use scheduler none' (or another)"
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
