package emp.spi.app;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a developer asks EMP to run: the original platform's JSON spec ({@code name}, {@code docker_image},
 * {@code stateless}, {@code port}, {@code envs}, {@code quality_metrics}) and EMP's optional extensions. Optional
 * fields are null when the spec leaves them out; the accessors named {@code effective...} apply the defaults.
 * The host validates a spec before any plugin sees it; a plugin may still refuse what it cannot run.
 *
 * @param name           the app's name, unique per owner: {@code [a-z][a-z0-9-]{0,39}}
 * @param dockerImage    the container image, for clusters that run images; may be null
 * @param stateless      false when the app keeps data that must outlive its replicas; null means true
 * @param port           the port the app listens on inside its container; clusters that assign ports ignore it
 * @param envs           environment variables set in every replica
 * @param qualityMetrics the targets the platform scales the app to meet
 * @param command        argv to start one replica, for clusters that run processes; {@code $PORT} is expanded
 * @param replicas       how many replicas to run at first; null means 1
 * @param minReplicas    the fewest replicas a scheduler may leave; null means 1
 * @param maxReplicas    the most replicas anyone may ask for; null means {@link #DEFAULT_MAX_REPLICAS}
 * @param resources      CPU and memory per replica; may be null
 * @param health         where readiness is checked; may be null
 * @param dependencies   names of the owner's apps this one calls; each becomes a {@code <DEP>_URL} variable
 * @param concurrency    the most requests one replica is given at once, where the cluster queues requests in front
 *                       of replicas (the local cluster's gateway); null means learned by the cluster
 * @param queueTimeout   seconds a request may wait in that queue before it is answered 503; null means
 *                       {@link #DEFAULT_QUEUE_TIMEOUT}
 * @param idleAfter      seconds without a request after which an app with {@code min_replicas: 0} goes to zero
 *                       replicas; null means {@link #DEFAULT_IDLE_AFTER}
 * @param rollout        how a change replaces the replicas ({@code max_surge}, {@code max_unavailable}); null means
 *                       {@link Rollout#DEFAULT}
 */
public record AppSpec(
        String name,
        String dockerImage,
        Boolean stateless,
        Integer port,
        List<EnvVar> envs,
        List<QualityMetric> qualityMetrics,
        List<String> command,
        Integer replicas,
        Integer minReplicas,
        Integer maxReplicas,
        Resources resources,
        HealthProbe health,
        List<String> dependencies,
        Integer concurrency,
        Double queueTimeout,
        Double idleAfter,
        Rollout rollout) {

    public static final int DEFAULT_MAX_REPLICAS = 10;
    /** How long a request may wait for a free replica when the spec does not say. */
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);
    /** How long an app that may go to zero replicas must see no request first, when the spec does not say. */
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofSeconds(60);

    public AppSpec {
        requireNonNull(name, "name is null");
        envs = envs == null ? List.of() : List.copyOf(envs);
        qualityMetrics = qualityMetrics == null ? List.of() : List.copyOf(qualityMetrics);
        command = command == null ? List.of() : List.copyOf(command);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
    }

    /** A spec that says nothing of its rollout. */
    public AppSpec(
            String name,
            String dockerImage,
            Boolean stateless,
            Integer port,
            List<EnvVar> envs,
            List<QualityMetric> qualityMetrics,
            List<String> command,
            Integer replicas,
            Integer minReplicas,
            Integer maxReplicas,
            Resources resources,
            HealthProbe health,
            List<String> dependencies,
            Integer concurrency,
            Double queueTimeout,
            Double idleAfter) {
        this(
                name,
                dockerImage,
                stateless,
                port,
                envs,
                qualityMetrics,
                command,
                replicas,
                minReplicas,
                maxReplicas,
                resources,
                health,
                dependencies,
                concurrency,
                queueTimeout,
                idleAfter,
                null);
    }

    /** A spec with only a name and a command: what tests and simple apps need. */
    public static AppSpec ofCommand(String name, List<String> command) {
        return new AppSpec(
                name, null, null, null, null, null, command, null, null, null, null, null, null, null, null, null);
    }

    /** {@code ${PORT}}, or {@code $PORT} not followed by more of a variable name (so {@code $PORTS} stays). */
    private static final Pattern PORT_REFERENCE = Pattern.compile("\\$\\{PORT}|\\$PORT(?![A-Za-z0-9_])");

    /**
     * {@code command} with {@code $PORT} and {@code ${PORT}} replaced by {@code port} in every argument: the argv of a
     * replica that listens on {@code port}.
     */
    public static List<String> expandPort(List<String> command, int port) {
        String replacement = Matcher.quoteReplacement(Integer.toString(port));
        return command.stream()
                .map(argument -> PORT_REFERENCE.matcher(argument).replaceAll(replacement))
                .toList();
    }

    /** The variable through which a replica finds a dependency: {@code song-db} becomes {@code SONG_DB_URL}. */
    public static String dependencyVariable(String dependency) {
        return dependency.toUpperCase(Locale.ROOT).replace('-', '_') + "_URL";
    }

    public boolean effectiveStateless() {
        return stateless == null || stateless;
    }

    public int effectiveReplicas() {
        return replicas == null ? 1 : replicas;
    }

    public int effectiveMinReplicas() {
        return minReplicas == null ? 1 : minReplicas;
    }

    public int effectiveMaxReplicas() {
        return maxReplicas == null ? DEFAULT_MAX_REPLICAS : maxReplicas;
    }

    /** The path whose HTTP answer makes a replica ready; {@code /} when the spec gives none. */
    public String effectiveHealthPath() {
        return health == null || health.path() == null ? "/" : health.path();
    }

    /** The requests one replica is given at once, when the spec fixes it; empty when the cluster learns it. */
    public OptionalInt effectiveConcurrency() {
        return concurrency == null ? OptionalInt.empty() : OptionalInt.of(concurrency);
    }

    public Duration effectiveQueueTimeout() {
        return queueTimeout == null ? DEFAULT_QUEUE_TIMEOUT : seconds(queueTimeout);
    }

    public Duration effectiveIdleAfter() {
        return idleAfter == null ? DEFAULT_IDLE_AFTER : seconds(idleAfter);
    }

    public Rollout effectiveRollout() {
        return rollout == null ? Rollout.DEFAULT : rollout;
    }

    /** Whether a scheduler may take the app to zero replicas when it is idle, to wake it at its next request. */
    public boolean scalesToZero() {
        return effectiveMinReplicas() == 0;
    }

    private static Duration seconds(double value) {
        return Duration.ofNanos(Math.round(value * 1e9));
    }

    public Optional<QualityMetric> qualityMetric(String metric) {
        return qualityMetrics.stream().filter(qm -> qm.metric().equals(metric)).findFirst();
    }

    public AppSpec withQualityMetrics(List<QualityMetric> newMetrics) {
        return new AppSpec(
                name,
                dockerImage,
                stateless,
                port,
                envs,
                newMetrics,
                command,
                replicas,
                minReplicas,
                maxReplicas,
                resources,
                health,
                dependencies,
                concurrency,
                queueTimeout,
                idleAfter,
                rollout);
    }

    public AppSpec withReplicas(Integer newReplicas) {
        return new AppSpec(
                name,
                dockerImage,
                stateless,
                port,
                envs,
                qualityMetrics,
                command,
                newReplicas,
                minReplicas,
                maxReplicas,
                resources,
                health,
                dependencies,
                concurrency,
                queueTimeout,
                idleAfter,
                rollout);
    }

    public AppSpec withRollout(Rollout newRollout) {
        return new AppSpec(
                name,
                dockerImage,
                stateless,
                port,
                envs,
                qualityMetrics,
                command,
                replicas,
                minReplicas,
                maxReplicas,
                resources,
                health,
                dependencies,
                concurrency,
                queueTimeout,
                idleAfter,
                newRollout);
    }

    public AppSpec withEnvs(List<EnvVar> newEnvs) {
        return new AppSpec(
                name,
                dockerImage,
                stateless,
                port,
                newEnvs,
                qualityMetrics,
                command,
                replicas,
                minReplicas,
                maxReplicas,
                resources,
                health,
                dependencies,
                concurrency,
                queueTimeout,
                idleAfter,
                rollout);
    }
}
