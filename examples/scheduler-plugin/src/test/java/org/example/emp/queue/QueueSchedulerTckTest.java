package org.example.emp.queue;

import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.Scheduler;
import emp.tck.scheduler.AbstractSchedulerTck;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The scheduler kit against the queue scheduler as the server makes it, with its default configuration. It keeps no
 * state, and the kit's overloaded view (40 rps, 1500 ms of self time on 2 replicas) is one it scales up, so nothing
 * of the kit's defaults needs changing.
 */
class QueueSchedulerTckTest extends AbstractSchedulerTck {
    @Override
    protected Scheduler newScheduler() {
        return new QueueSchedulerFactory()
                .create(new PluginContext(
                        "queue-scheduler",
                        PluginConfig.empty(QueueSchedulerFactory.SECTION),
                        Path.of("data", "queue-scheduler"),
                        URI.create("http://127.0.0.1:7070"),
                        Clock.systemUTC()));
    }
}
