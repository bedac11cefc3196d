package emp.host.reconcile;

import static java.util.Objects.requireNonNull;

/**
 * Wakes the reconciler: what the leader election and the app service call when something changed, built before the
 * reconciler that is built on them. Until {@link #connect} it does nothing: the reconciler's first pass, at its start,
 * looks at every app anyway.
 */
public final class ReconcileTrigger implements Runnable {
    private volatile Reconciler reconciler;

    public void connect(Reconciler reconciler) {
        this.reconciler = requireNonNull(reconciler, "reconciler is null");
    }

    @Override
    public void run() {
        Reconciler connected = reconciler;
        if (connected != null) {
            connected.wakeUp();
        }
    }
}
