package emp.host.apps;

/** What an app's event is about; {@link #wire()} is how the event log, the API and the CLI name it. */
public enum AppEventType {
    /** Deployed. */
    DEPLOY("deploy"),
    /** Deployed again with another spec: the replicas roll onto it. */
    REDEPLOY("redeploy"),
    /** A numbered release made, live, or failed. */
    RELEASE("release"),
    /** A failed release rolled back by the platform. */
    ROLLBACK("rollback"),
    /** A rolling restart asked for. */
    ROLLOUT("rollout"),
    /** Its replica count changed, by a person, a scheduler or the platform ({@link AppEvent#scaled}). */
    SCALE("scale"),
    /** What a scheduler would have done, in a dry run. */
    DRY_RUN("dry-run"),
    STOP("stop"),
    START("start"),
    /** A quality metric changed at run time. */
    METRICS("metrics"),
    /** A replica became ready. */
    READY("ready"),
    /** A replica crashed. */
    CRASH("crash"),
    /** A crashed replica started again. */
    RESTART("restart"),
    /** The cluster refused the app. */
    ERROR("error"),
    /** The cluster accepts the app again after refusing it. */
    RECOVERED("recovered");

    private final String wire;

    AppEventType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
