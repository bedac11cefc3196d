package emp.cluster.sim;

import java.math.BigDecimal;

/**
 * What one replica takes of a node while it is placed there, or what a node has free.
 *
 * @param millicores cpus, in thousandths of a core
 * @param mib        memory, in MiB
 */
record Demand(long millicores, long mib) {
    Demand {
        if (millicores < 0 || mib < 0) {
            throw new IllegalArgumentException("negative demand: " + millicores + "m, " + mib + " MiB");
        }
    }

    /** Whether this fits in so much free room. */
    boolean fitsIn(long freeMillicores, long freeMib) {
        return millicores <= freeMillicores && mib <= freeMib;
    }

    /** Whether this asks for at least as much as {@code other} of both resources: where that does not fit, nor does this. */
    boolean atLeast(Demand other) {
        return millicores >= other.millicores && mib >= other.mib;
    }

    /** {@code 0.5 cpus and 128 MiB}. */
    @Override
    public String toString() {
        return cpus(millicores) + " cpus and " + mib + " MiB";
    }

    /** Millicores as cpus, without trailing zeros: {@code 2}, {@code 0.25}. */
    static String cpus(long millicores) {
        return BigDecimal.valueOf(millicores, 3).stripTrailingZeros().toPlainString();
    }

    /** A number as a person writes it: {@code 4}, {@code 0.1}. */
    static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
