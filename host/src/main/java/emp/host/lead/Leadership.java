package emp.host.lead;

import emp.spi.store.Write;
import java.util.List;

/**
 * Whether this server leads the control plane: runs the reconciler and the scheduler loop. Several servers may share
 * one store and serve the API; exactly one leads at a time.
 */
public interface Leadership {
    /** Whether this server leads now. */
    boolean leads();

    /**
     * Conditions to add to a commit so that it succeeds only while this server still leads: a check of the term it was
     * elected in, its fencing token. A server deposed while it was busy has its late writes refused by the store.
     *
     * @throws emp.spi.PlatformException of category CONFLICT when this server does not lead
     */
    List<Write> fence();

    /** A server that leads alone, with nothing to fence against: for tests of what leaders do. */
    static Leadership alone() {
        return new Leadership() {
            @Override
            public boolean leads() {
                return true;
            }

            @Override
            public List<Write> fence() {
                return List.of();
            }
        };
    }
}
