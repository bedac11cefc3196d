package emp.host.scale;

import static java.util.Objects.requireNonNull;

import emp.host.plugin.ExtensionPointKind;
import emp.host.plugin.HotSwap;
import emp.host.plugin.LoadedExtension;
import emp.host.plugin.PluginHost;
import emp.spi.scheduler.Scheduler;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the scaling loop's scheduler while it runs: the tick under way finishes with the one before, which is
 * closed (when it is {@link AutoCloseable}) and not called again. While paused the loop decides nothing but the
 * platform's own scale-to-zero rule.
 */
public final class SchedulerSwap implements HotSwap {
    private static final Logger log = LoggerFactory.getLogger(SchedulerSwap.class);
    private static final Scheduler NONE = view -> List.of();

    /** Where the chosen scheduler goes; the scaling loop's {@link ScalingLoop#use}. */
    @FunctionalInterface
    public interface Loop {
        void use(Scheduler scheduler, String name);
    }

    private final Loop loop;
    private final PluginHost plugins;
    private final Function<LoadedExtension, Scheduler> schedulers;
    private Scheduler active;

    /**
     * @param active     the scheduler the loop starts with
     * @param schedulers makes a scheduler of an extension, as the server does at start
     */
    public SchedulerSwap(
            Loop loop, PluginHost plugins, Function<LoadedExtension, Scheduler> schedulers, Scheduler active) {
        this.loop = requireNonNull(loop, "loop is null");
        this.plugins = requireNonNull(plugins, "plugins is null");
        this.schedulers = requireNonNull(schedulers, "schedulers is null");
        this.active = requireNonNull(active, "active is null");
    }

    /** No scheduler: the loop still runs the platform's own scale-to-zero rule. */
    public static Scheduler none() {
        return NONE;
    }

    @Override
    public synchronized void use(String name) {
        Scheduler next =
                name.equals("none") ? NONE : schedulers.apply(plugins.select(ExtensionPointKind.SCHEDULER, name));
        try {
            loop.use(next, name);
        } catch (RuntimeException e) {
            closeQuietly(next, name);
            throw e;
        }
        Scheduler before = active;
        active = next;
        closeQuietly(before, "the scheduler before");
    }

    @Override
    public synchronized void pause() {
        loop.use(NONE, "none (while its plugin is replaced)");
        Scheduler before = active;
        active = NONE;
        closeQuietly(before, "the scheduler before");
    }

    @Override
    public void resume(String name) {
        use(name);
    }

    private static void closeQuietly(Scheduler scheduler, String what) {
        if (scheduler instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", what, e.toString());
            }
        }
    }
}
