package org.example.emp.queue;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.SchedulerFactory;
import java.util.Optional;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The plugin's one extension: makes the {@link QueueScheduler}. The server finds it through {@code @Extension} (PF4J's
 * annotation processor lists it in the jar's {@code META-INF/extensions.idx}) and chooses it by its {@link #name()}:
 * {@code emp plugins use scheduler queue}, {@code emp server --scheduler queue} or {@code scheduler.use: queue}.
 *
 * <p>Its configuration section is {@code scheduler.queue}, with one key, {@code utilization}: the most a replica is
 * planned to be busy, from 0.2 to 0.95, 0.7 by default ({@code --set scheduler.queue.utilization=0.6}). A key it does
 * not know fails the scheduler's creation (the server's start, or {@code emp plugins use}) with the key's name.
 */
@Extension
public final class QueueSchedulerFactory implements SchedulerFactory {
    /** The section of the server configuration this scheduler reads: {@code scheduler.} and its name. */
    public static final String SECTION = "scheduler.queue";

    static final String UTILIZATION = "utilization";
    static final double DEFAULT_UTILIZATION = 0.7;

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public String description() {
        return "queueing model: each app sized by Little's law from its arrival rate and service time, its replicas"
                + " kept as busy as its latency target allows (example plugin)";
    }

    /**
     * Binds and checks {@code scheduler.queue}.
     *
     * @throws PlatformException of category INVALID naming an unknown key, or a utilization that is no fraction from
     *                           0.2 to 0.95
     */
    @Override
    public Scheduler create(PluginContext context) {
        PluginConfig config = context.config();
        config.requireKnown(Set.of(UTILIZATION));
        return new QueueScheduler(utilization(config));
    }

    private static double utilization(PluginConfig config) {
        Optional<String> raw = config.get(UTILIZATION);
        if (raw.isEmpty()) {
            return DEFAULT_UTILIZATION;
        }
        try {
            double value = Double.parseDouble(raw.get());
            if (value >= QueueScheduler.MIN_UTILIZATION && value <= QueueScheduler.MAX_UTILIZATION) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Answered below, like a number out of range.
        }
        throw PlatformException.invalid(
                config.fullKey(UTILIZATION),
                "configuration key '" + config.fullKey(UTILIZATION) + "' is '" + raw.get() + "'; expected a fraction"
                        + " from " + QueueScheduler.MIN_UTILIZATION + " to " + QueueScheduler.MAX_UTILIZATION
                        + ", such as " + DEFAULT_UTILIZATION);
    }
}
