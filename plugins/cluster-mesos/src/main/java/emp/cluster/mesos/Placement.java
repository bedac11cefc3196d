package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntBiFunction;

/**
 * Fits the tasks apps want into one round of offers: one task per app in turn (so an app wanting many does not starve
 * the others), each into the offer with room whose agent runs the fewest of that app's tasks (so replicas spread over
 * agents), the one with most cpus left among equals. An app none of whose tasks fits is told why, in the numbers a
 * person can act on.
 */
final class Placement {
    /** One task to launch: the app's, in that offer, on that port of its agent. */
    record Launch(AppRef app, OfferSpace space, int hostPort) {}

    /** What is wanted of one app: how many tasks, each of so many cpus and MiB. */
    record Want(AppRef app, int tasks, double cpus, double memoryMb) {
        Want {
            requireNonNull(app, "app is null");
        }
    }

    /**
     * @param launches    the tasks placed, in order
     * @param unplaceable for each app of which a wanted task fitted no offer, why
     */
    record Result(List<Launch> launches, Map<AppRef, String> unplaceable) {}

    private Placement() {}

    /**
     * @param running how many tasks of the app (first argument) run on the agent (second) already
     */
    static Result place(List<Want> wants, List<OfferSpace> spaces, ToIntBiFunction<AppRef, String> running) {
        Map<AppRef, Integer> left = new LinkedHashMap<>();
        wants.forEach(want -> left.put(want.app(), want.tasks()));
        List<Launch> launches = new ArrayList<>();
        Map<AppRef, String> unplaceable = new LinkedHashMap<>();
        boolean placedAny = true;
        while (placedAny) {
            placedAny = false;
            for (Want want : wants) {
                if (left.get(want.app()) == 0) {
                    continue;
                }
                OfferSpace space = choose(want, spaces, running);
                if (space == null) {
                    unplaceable.put(want.app(), why(want, spaces));
                    left.put(want.app(), 0);
                    continue;
                }
                launches.add(new Launch(want.app(), space, space.take(want.cpus(), want.memoryMb(), want.app())));
                left.merge(want.app(), -1, Integer::sum);
                placedAny = true;
            }
        }
        return new Result(launches, unplaceable);
    }

    private static OfferSpace choose(Want want, List<OfferSpace> spaces, ToIntBiFunction<AppRef, String> running) {
        OfferSpace best = null;
        int bestCount = Integer.MAX_VALUE;
        for (OfferSpace space : spaces) {
            if (!space.fits(want.cpus(), want.memoryMb())) {
                continue;
            }
            int count = space.placed(want.app()) + running.applyAsInt(want.app(), space.agentId());
            if (count < bestCount || count == bestCount && space.cpus() > best.cpus()) {
                best = space;
                bestCount = count;
            }
        }
        return best;
    }

    /** {@code no Mesos offer fits a task of 'a/b': it needs 8 cpus, 64 MiB and a port; the largest offer has...}. */
    private static String why(Want want, List<OfferSpace> spaces) {
        double mostCpus = 0;
        double mostMem = 0;
        boolean anyPort = false;
        for (OfferSpace space : spaces) {
            mostCpus = Math.max(mostCpus, space.cpus());
            mostMem = Math.max(mostMem, space.mem());
            anyPort |= space.hasPort();
        }
        return "no Mesos offer fits a task of '" + want.app() + "': it needs " + number(want.cpus()) + " cpus, "
                + number(want.memoryMb()) + " MiB and a port; the largest offer has " + number(mostCpus)
                + " cpus and " + number(mostMem) + " MiB" + (anyPort ? "" : " and no port")
                + "; lower its resources or add agents";
    }

    private static String number(double value) {
        return value == Math.rint(value)
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.2f", value).replaceAll("0+$", "");
    }
}
