package emp.scheduler.tracegraph;

import emp.spi.PluginContext;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.SchedulerFactory;
import org.pf4j.Extension;

/** Chosen by {@code scheduler.use: tracegraph} ({@code emp server --scheduler tracegraph}): the global view. */
@Extension
public final class TraceGraphSchedulerFactory implements SchedulerFactory {
    @Override
    public String name() {
        return "tracegraph";
    }

    @Override
    public String description() {
        return "the global view: when a latency target is missed, scales the app on the call graph below it that"
                + " causes it, sized by Little's law";
    }

    /**
     * @throws emp.spi.PlatformException of category INVALID naming the key, when a key of {@code scheduler.tracegraph}
     *     is unknown or malformed
     */
    @Override
    public Scheduler create(PluginContext context) {
        return new TraceGraphScheduler(TraceGraphConfig.from(context.config()));
    }
}
