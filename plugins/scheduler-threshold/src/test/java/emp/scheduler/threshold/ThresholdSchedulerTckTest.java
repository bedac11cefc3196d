package emp.scheduler.threshold;

import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.Scheduler;
import emp.tck.scheduler.AbstractSchedulerTck;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The scheduler kit against the threshold scheduler as its factory makes it by default. Its state (the rate at which
 * each app last missed a target) only lowers a later scale-down, never changes the decision on a view given again,
 * so it runs the kit as a scheduler without state across ticks; the kit's default overloaded view (p95 ten times
 * its target, on 400 spans) is one it scales up.
 */
class ThresholdSchedulerTckTest extends AbstractSchedulerTck {
    @Override
    protected Scheduler newScheduler() {
        return new ThresholdSchedulerFactory()
                .create(new PluginContext(
                        "scheduler-threshold",
                        PluginConfig.empty(ThresholdConfig.SECTION),
                        Path.of("data", "scheduler-threshold"),
                        URI.create("http://127.0.0.1:7070"),
                        Clock.systemUTC()));
    }
}
