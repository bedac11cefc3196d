package emp.scheduler.tracegraph;

import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.Scheduler;
import emp.tck.scheduler.AbstractSchedulerTck;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The scheduler kit against the trace-graph scheduler as its factory makes it by default. It learns from every tick
 * (each app's baseline self time and knee, the trend of its self time, how long it has been comfortable), so the same
 * view given twice may be decided differently, by design: it declares that it keeps state across ticks. The kit's
 * default overloaded view (60 requests in flight on 2 replicas, far past the default knee of 1) is one it scales up at
 * first sight.
 */
class TraceGraphSchedulerTckTest extends AbstractSchedulerTck {
    @Override
    protected Scheduler newScheduler() {
        return new TraceGraphSchedulerFactory()
                .create(new PluginContext(
                        "scheduler-tracegraph",
                        PluginConfig.empty(TraceGraphConfig.SECTION),
                        Path.of("data", "scheduler-tracegraph"),
                        URI.create("http://127.0.0.1:7070"),
                        Clock.systemUTC()));
    }

    @Override
    protected boolean keepsStateAcrossTicks() {
        return true;
    }
}
