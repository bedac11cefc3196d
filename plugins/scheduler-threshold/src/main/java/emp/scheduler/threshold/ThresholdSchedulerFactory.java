package emp.scheduler.threshold;

import emp.spi.PluginContext;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.SchedulerFactory;
import org.pf4j.Extension;

/**
 * Makes the threshold scheduler, chosen by {@code scheduler.use: threshold} (or {@code emp server --scheduler
 * threshold}). Its configuration section is {@code scheduler.threshold} (see {@link ThresholdConfig}).
 */
@Extension
public final class ThresholdSchedulerFactory implements SchedulerFactory {
    @Override
    public String name() {
        return "threshold";
    }

    @Override
    public String description() {
        return "baseline rules: one replica more when an app misses its own p95, p99 or error target, one fewer when"
                + " it is well under them and lightly loaded; each app judged alone";
    }

    /** Binds and checks {@code scheduler.threshold}. */
    @Override
    public Scheduler create(PluginContext context) {
        return new ThresholdScheduler(ThresholdConfig.from(context.config()));
    }
}
