package emp.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Waits until the apps of a deploy or a rollback have rolled out. For an app whose view names its release it polls
 * {@code GET /v1/apps/{id}/releases/{version}} until the release is no longer {@value ReleaseView#PENDING}; for one
 * without (a server older than releases, which also answers 404 for the release), until every replica it wants is
 * ready. It polls each app's view as well, for {@link DeployProgress} to show, and stops polling an app once it is
 * done. How each wait ended is for the caller to report: a failed release is not an error here.
 */
final class ReleaseWait {
    /**
     * One app to wait for.
     *
     * @param app     the app's view as the server last answered it
     * @param version the release to wait for, or null to wait until the app's replicas are ready
     */
    record Target(JsonNode app, Integer version) {
        Target {
            requireNonNull(app, "app is null");
        }

        /** An app of a deploy's answer: its release is the one in its view, when the server sends one. */
        static Target of(JsonNode app) {
            return new Target(app, AppView.release(app));
        }
    }

    /**
     * How one app's wait ended.
     *
     * @param app     the app's view as last seen
     * @param release the release as last seen: not pending; null when the app was waited for until ready
     */
    record Outcome(JsonNode app, JsonNode release) {
        /** The release's status; {@value ReleaseView#SUCCEEDED} for an app that was waited for until ready. */
        String status() {
            return release == null ? ReleaseView.SUCCEEDED : ReleaseView.status(release);
        }
    }

    private final CliContext context;
    private final EmpClient client;
    private final DeployProgress progress;

    ReleaseWait(CliContext context, EmpClient client, DeployProgress progress) {
        this.context = requireNonNull(context, "context is null");
        this.client = requireNonNull(client, "client is null");
        this.progress = requireNonNull(progress, "progress is null");
    }

    /**
     * Polls until every target is done.
     *
     * @return how each target's wait ended, in the order of {@code targets}
     * @throws CliException naming each app that is not done when {@code timeout} has passed
     */
    List<Outcome> await(List<Target> targets, Duration timeout) {
        if (targets.isEmpty()) {
            return List.of();
        }
        List<Waiting> waits = targets.stream().map(Waiting::new).toList();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            progress.report(waits.stream().map(w -> w.app).toList(), System.nanoTime() - start);
            if (waits.stream().allMatch(Waiting::done)) {
                progress.clearLive();
                return waits.stream().map(w -> new Outcome(w.app, w.release)).toList();
            }
            if (System.nanoTime() - deadline >= 0) {
                progress.clearLive();
                throw timedOut(waits.stream().filter(w -> !w.done()).toList(), timeout);
            }
            sleep();
            for (Waiting wait : waits) {
                if (!wait.done()) {
                    poll(wait);
                }
            }
        }
    }

    /** Reads the release first, then the app, so that the view printed at the end is no older than the status. */
    private void poll(Waiting wait) {
        String path = "/v1/apps/" + EmpClient.segment(AppView.id(wait.app));
        if (wait.version != null) {
            try {
                wait.release = client.get(path + "/releases/" + wait.version);
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                // A server without releases: the app is done when its replicas are ready, as before them.
                wait.version = null;
                wait.release = null;
            }
        }
        wait.app = client.get(path);
    }

    private void sleep() {
        try {
            Thread.sleep(context.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.user(
                    "interrupted while waiting for the rollout; it goes on on the server, see 'emp list'");
        }
    }

    private static CliException timedOut(List<Waiting> waiting, Duration timeout) {
        String after = DurationConverter.format(timeout);
        if (waiting.size() == 1) {
            Waiting wait = waiting.get(0);
            String name = AppView.name(wait.app);
            if (wait.version == null) {
                return CliException.user("app '" + name + "' is not ready after " + after + ": "
                        + AppView.readiness(wait.app) + " replicas ready; see 'emp events " + name + "' and 'emp logs "
                        + name + "'");
            }
            return CliException.user("release " + ReleaseView.label(wait.version) + " of '" + name
                    + "' is still rolling out after " + after + " (" + AppView.readiness(wait.app)
                    + " replicas ready) and goes on on the server; 'emp releases " + name + "' shows how it ends, 'emp"
                    + " logs " + name + "' what its replicas print");
        }
        String list = waiting.stream()
                .map(wait -> "'" + AppView.name(wait.app) + "' ("
                        + (wait.version == null ? "" : "release " + ReleaseView.label(wait.version) + ", ")
                        + AppView.readiness(wait.app) + " ready)")
                .collect(Collectors.joining(", "));
        return CliException.user(
                "apps not ready after " + after + ": " + list + "; see 'emp events ID' and 'emp logs ID' for each");
    }

    /** One target's wait while it lasts. */
    private static final class Waiting {
        private JsonNode app;
        private Integer version;
        private JsonNode release;

        Waiting(Target target) {
            this.app = target.app();
            this.version = target.version();
        }

        boolean done() {
            if (version == null) {
                return AppView.isReady(app);
            }
            return release != null && !ReleaseView.PENDING.equals(ReleaseView.status(release));
        }
    }
}
