package emp.cluster.sim;

import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.Resources;

/**
 * What the simulation takes from an app's spec: what each replica takes of a node, and how likely it is to crash as it
 * starts. Everything else in the spec ({@code command}, {@code docker_image}, {@code port}...) is accepted and has no
 * effect, as nothing runs.
 *
 * @param demand           the cpus and memory of one replica: the spec's {@code resources}, or the configured defaults
 * @param crashProbability the chance of a crash at each start: the app's {@value #CRASH_VARIABLE} variable, or the
 *                         configured {@code crash-probability}
 */
record SimSpec(Demand demand, double crashProbability) {
    /** The variable of a spec's {@code envs} that sets its replicas' chance of crashing as they start, from 0 to 1. */
    static final String CRASH_VARIABLE = "SIM_CRASH_PROBABILITY";

    private static final double MIB = 1024.0 * 1024.0;

    /**
     * Reads the spec.
     *
     * @throws PlatformException of category INVALID naming the field whose value is malformed, or UNSUPPORTED naming
     *                           {@code resources.cpu} or {@code resources.memory} when one replica asks for more than a
     *                           whole node has, so that it could never be placed
     */
    static SimSpec of(AppSpec spec, SimClusterConfig config) {
        Demand fallback = config.defaultDemand();
        Resources resources = spec.resources();
        long millicores = fallback.millicores();
        long mib = fallback.mib();
        if (resources != null && resources.cpu() != null) {
            millicores = parse(spec, "resources.cpu", () -> Resources.millicores(resources.cpu()));
        }
        if (resources != null && resources.memory() != null) {
            mib = parse(spec, "resources.memory", () -> (long) Math.ceil(Resources.bytes(resources.memory()) / MIB));
        }
        if (millicores > config.nodeMillicores()) {
            throw PlatformException.unsupported(
                    "resources.cpu",
                    "app '" + spec.name() + "' asks for " + Demand.cpus(millicores) + " cpus per replica, more than a"
                            + " simulated node has (" + config.nodeCpus() + ", '" + SimClusterConfig.SECTION + "."
                            + SimClusterConfig.NODE_CPUS + "'); ask for at most " + config.nodeCpus()
                            + " or give the nodes more");
        }
        if (mib > config.nodeMemoryMib()) {
            throw PlatformException.unsupported(
                    "resources.memory",
                    "app '" + spec.name() + "' asks for " + mib + " MiB per replica, more than a simulated node has ("
                            + config.nodeMemoryMib() + " MiB, '" + SimClusterConfig.SECTION + "."
                            + SimClusterConfig.NODE_MEMORY_MIB + "'); ask for at most " + config.nodeMemoryMib()
                            + "Mi or give the nodes more");
        }
        return new SimSpec(new Demand(millicores, mib), crashProbability(spec, config));
    }

    private static double crashProbability(AppSpec spec, SimClusterConfig config) {
        String raw = null;
        for (EnvVar env : spec.envs()) {
            if (env.name().equals(CRASH_VARIABLE)) {
                raw = env.value();
            }
        }
        if (raw == null) {
            return config.crashProbability();
        }
        try {
            double probability = Double.parseDouble(raw.trim());
            if (probability >= 0 && probability <= 1) {
                return probability;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw PlatformException.invalid(
                "envs",
                "app '" + spec.name() + "' sets " + CRASH_VARIABLE + " to '" + raw
                        + "'; the simulated cluster expects a probability from 0 to 1 such as 0.05");
    }

    private interface Quantity {
        long get();
    }

    private static long parse(AppSpec spec, String field, Quantity quantity) {
        try {
            return quantity.get();
        } catch (IllegalArgumentException e) {
            throw PlatformException.invalid(field, "app '" + spec.name() + "': " + e.getMessage());
        }
    }
}
