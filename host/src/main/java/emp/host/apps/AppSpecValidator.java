package emp.host.apps;

import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.QualityMetric;
import emp.spi.app.Rollout;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks an app spec before anything is stored. Every error names the field, in the spec's own spelling, and what
 * is expected there.
 */
public final class AppSpecValidator {
    /** The most replicas any app may ask for: a guard against typos that would fork-bomb a laptop. */
    public static final int REPLICA_CEILING = 1000;
    /** The most requests a spec may say one replica serves at once. */
    public static final int MAX_CONCURRENCY = 10000;

    /** The most characters of an image reference (Docker's own limit is 255 for the name, 128 for the tag). */
    public static final int MAX_IMAGE = 512;
    /** The most arguments of a command, and characters of one. */
    public static final int MAX_ARGUMENTS = 256;

    public static final int MAX_ARGUMENT = 8192;
    /** The most environment variables, and characters of one's name and of its value. */
    public static final int MAX_ENVS = 256;

    public static final int MAX_ENV_NAME = 256;
    public static final int MAX_ENV_VALUE = 32768;
    /** The most dependencies and quality metrics of one app. */
    public static final int MAX_DEPENDENCIES = 64;

    public static final int MAX_QUALITY_METRICS = 16;
    /** The most characters of a health path, and of any other short field (a size, a metric's value). */
    public static final int MAX_PATH = 1024;

    public static final int MAX_SHORT = 64;

    private static final Pattern NAME = Pattern.compile("[a-z]([a-z0-9-]{0,38}[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CPU = Pattern.compile("\\d+(\\.\\d+)?m?");
    private static final Pattern MEMORY = Pattern.compile("\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?");

    private AppSpecValidator() {}

    public static void validateName(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw PlatformException.invalid(
                    field, "field '" + field + "' is missing; every app needs a name like \"hello\"");
        }
        if (!NAME.matcher(name).matches()) {
            throw PlatformException.invalid(
                    field,
                    "field '" + field + "' is '" + TextField.shown(name)
                            + "'; a name is 1 to 40 lower-case letters, digits or '-', starting with a letter and not ending with '-'");
        }
    }

    /** @throws PlatformException of category INVALID naming the first wrong field */
    public static void validate(AppSpec spec) {
        validateName("name", spec.name());
        validateBounds(spec);
        if (spec.command().isEmpty() && spec.dockerImage() == null) {
            throw PlatformException.invalid(
                    "command",
                    "app '" + spec.name()
                            + "' has neither 'command' nor 'docker_image'; give the command that starts it, e.g. \"command\": [\"java\", \"-jar\", \"app.jar\"]");
        }
        if (spec.dockerImage() != null && spec.dockerImage().isBlank()) {
            throw PlatformException.invalid(
                    "docker_image",
                    "field 'docker_image' is empty; give an image like \"nginx:1.27\" or leave the field out");
        }
        validateCommand(spec);
        validateRollout(spec.rollout());
        if (spec.port() != null && (spec.port() < 1 || spec.port() > 65535)) {
            throw PlatformException.invalid(
                    "port", "field 'port' is " + spec.port() + "; expected a port from 1 to 65535");
        }
        validateEnvs(spec.envs());
        validateQualityMetrics(spec.qualityMetrics());
        validateReplicas(spec);
        validateServing(spec);
        if (spec.resources() != null) {
            String cpu = spec.resources().cpu();
            if (cpu != null && !CPU.matcher(cpu).matches()) {
                throw PlatformException.invalid(
                        "resources.cpu",
                        "field 'resources.cpu' is '" + cpu
                                + "'; expected cores like \"0.5\", \"2\" or millicores like \"500m\"");
            }
            String memory = spec.resources().memory();
            if (memory != null && !MEMORY.matcher(memory).matches()) {
                throw PlatformException.invalid(
                        "resources.memory",
                        "field 'resources.memory' is '" + memory + "'; expected a size like \"256Mi\" or \"1Gi\"");
            }
        }
        if (spec.health() != null
                && spec.health().path() != null
                && !spec.health().path().startsWith("/")) {
            throw PlatformException.invalid(
                    "health.path",
                    "field 'health.path' is '" + spec.health().path()
                            + "'; expected a path starting with '/', like \"/health\"");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < spec.dependencies().size(); i++) {
            String dependency = spec.dependencies().get(i);
            String field = "dependencies[" + i + "]";
            validateName(field, dependency);
            if (dependency.equals(spec.name())) {
                throw PlatformException.invalid(
                        field, "app '" + spec.name() + "' lists itself as a dependency; list the apps it calls");
            }
            if (!seen.add(dependency)) {
                throw PlatformException.invalid(field, "dependency '" + dependency + "' is listed twice");
            }
        }
    }

    /** Lengths, counts and control characters of every text field, before any other check repeats one. */
    private static void validateBounds(AppSpec spec) {
        TextField.require("docker_image", spec.dockerImage(), MAX_IMAGE, false);
        requireAtMost("command", spec.command().size(), MAX_ARGUMENTS, "arguments");
        for (int i = 0; i < spec.command().size(); i++) {
            TextField.require("command[" + i + "]", spec.command().get(i), MAX_ARGUMENT, true);
        }
        requireAtMost("envs", spec.envs().size(), MAX_ENVS, "variables");
        for (int i = 0; i < spec.envs().size(); i++) {
            EnvVar env = spec.envs().get(i);
            if (env != null) {
                TextField.require("envs[" + i + "].name", env.name(), MAX_ENV_NAME, false);
                TextField.require("envs[" + i + "].value", env.value(), MAX_ENV_VALUE, true);
            }
        }
        requireAtMost("dependencies", spec.dependencies().size(), MAX_DEPENDENCIES, "apps");
        for (int i = 0; i < spec.dependencies().size(); i++) {
            TextField.require("dependencies[" + i + "]", spec.dependencies().get(i), MAX_SHORT, false);
        }
        requireAtMost("quality_metrics", spec.qualityMetrics().size(), MAX_QUALITY_METRICS, "metrics");
        for (int i = 0; i < spec.qualityMetrics().size(); i++) {
            QualityMetric metric = spec.qualityMetrics().get(i);
            if (metric != null) {
                TextField.require("quality_metrics[" + i + "].metric", metric.metric(), MAX_SHORT, false);
                TextField.require("quality_metrics[" + i + "].values", metric.values(), MAX_SHORT, false);
            }
        }
        if (spec.resources() != null) {
            TextField.require("resources.cpu", spec.resources().cpu(), MAX_SHORT, false);
            TextField.require("resources.memory", spec.resources().memory(), MAX_SHORT, false);
        }
        if (spec.health() != null) {
            TextField.require("health.path", spec.health().path(), MAX_PATH, false);
        }
    }

    private static void requireAtMost(String field, int count, int max, String what) {
        if (count > max) {
            throw PlatformException.invalid(
                    field, "field '" + field + "' has " + count + " " + what + "; it takes at most " + max);
        }
    }

    private static void validateCommand(AppSpec spec) {
        if (spec.command().isEmpty()) {
            return;
        }
        for (int i = 0; i < spec.command().size(); i++) {
            if (spec.command().get(i) == null) {
                throw PlatformException.invalid(
                        "command[" + i + "]", "field 'command[" + i + "]' is null; every argument must be a string");
            }
        }
        if (spec.command().get(0).isBlank()) {
            throw PlatformException.invalid(
                    "command[0]",
                    "field 'command[0]' is empty; the first element is the program to run, e.g. \"java\"");
        }
    }

    private static void validateEnvs(List<EnvVar> envs) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < envs.size(); i++) {
            EnvVar env = envs.get(i);
            String field = "envs[" + i + "].name";
            if (env == null
                    || env.name() == null
                    || !ENV_NAME.matcher(env.name()).matches()) {
                throw PlatformException.invalid(
                        field,
                        "field '" + field + "' is "
                                + (env == null || env.name() == null ? "missing" : "'" + env.name() + "'")
                                + "; expected a variable name of letters, digits and '_', not starting with a digit");
            }
            if (!seen.add(env.name())) {
                throw PlatformException.invalid(
                        field, "environment variable '" + env.name() + "' is set twice in 'envs'");
            }
        }
    }

    /**
     * One variable of an app's config or secrets ({@code field}): a name as for {@code envs}, not one the platform
     * sets itself ({@code PORT}, {@code EMP_*}), and a value within the bounds of an env value.
     */
    public static void validateVariable(String field, String name, String value) {
        if (name == null || !ENV_NAME.matcher(name).matches() || name.length() > MAX_ENV_NAME) {
            throw PlatformException.invalid(
                    field,
                    (name == null ? "a variable has no name" : "'" + TextField.shown(name) + "' is not a variable name")
                            + "; expected letters, digits and '_', not starting with a digit, at most " + MAX_ENV_NAME
                            + " characters");
        }
        if (name.equals("PORT") || name.startsWith("EMP_")) {
            throw PlatformException.invalid(
                    field, "'" + name + "' is set by the platform in every replica; pick another name");
        }
        if (value == null) {
            throw PlatformException.invalid(field, "'" + name + "' has no value; give a string, or unset it");
        }
        if (value.length() > MAX_ENV_VALUE) {
            throw PlatformException.invalid(
                    field,
                    "the value of '" + name + "' has " + value.length() + " characters; at most " + MAX_ENV_VALUE
                            + " fit");
        }
        if (value.indexOf('\0') >= 0) {
            throw PlatformException.invalid(
                    field, "the value of '" + name + "' holds a NUL character, which no environment can carry");
        }
    }

    /** An app's config or secrets hold at most as many variables as its {@code envs}. */
    public static void requireVariableCount(String field, int count) {
        requireAtMost(field, count, MAX_ENVS, "variables");
    }

    private static void validateRollout(Rollout rollout) {
        if (rollout == null) {
            return;
        }
        for (String[] field : new String[][] {
            {"rollout.max_surge", rollout.maxSurge()}, {"rollout.max_unavailable", rollout.maxUnavailable()}
        }) {
            TextField.require(field[0], field[1], MAX_SHORT, false);
            if (!Rollout.valid(field[1])) {
                throw PlatformException.invalid(
                        field[0],
                        "field '" + field[0] + "' is '" + TextField.shown(field[1])
                                + "'; expected a count like 1 or a percentage of the replicas like \"25%\"");
            }
        }
        if (rollout.effectiveMaxSurge().matches("0+%?")
                && rollout.effectiveMaxUnavailable().matches("0+%?")) {
            throw PlatformException.invalid(
                    "rollout",
                    "'max_surge' and 'max_unavailable' are both 0, so no replica could be replaced; let one be more");
        }
    }

    public static void validateQualityMetrics(List<QualityMetric> metrics) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            QualityMetric metric = metrics.get(i);
            validateQualityMetric("quality_metrics[" + i + "]", metric);
            if (!seen.add(metric.metric())) {
                throw PlatformException.invalid(
                        "quality_metrics[" + i + "].metric", "quality metric '" + metric.metric() + "' is given twice");
            }
        }
    }

    /**
     * @param field the field the metric came from, e.g. {@code quality_metrics[0]}, or {@code metric} for an update
     */
    public static void validateQualityMetric(String field, QualityMetric metric) {
        if (metric == null || metric.metric() == null) {
            throw PlatformException.invalid(
                    field + ".metric",
                    "field '" + field + ".metric' is missing; expected one of " + new TreeSet<>(QualityMetric.KNOWN));
        }
        if (!QualityMetric.KNOWN.contains(metric.metric())) {
            throw PlatformException.invalid(
                    field + ".metric",
                    "quality metric '" + metric.metric() + "' is not known; expected one of "
                            + new TreeSet<>(QualityMetric.KNOWN));
        }
        double value;
        try {
            value = metric.target();
        } catch (NumberFormatException e) {
            throw PlatformException.invalid(
                    field + ".values",
                    "quality metric '" + metric.metric() + "' has value '" + metric.values()
                            + "'; expected a number, e.g. \"200\"");
        }
        if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
            throw PlatformException.invalid(
                    field + ".values",
                    "quality metric '" + metric.metric() + "' has value '" + metric.values()
                            + "'; expected a number of zero or more");
        }
        switch (metric.metric()) {
            case QualityMetric.AVAILABILITY -> {
                if (value > 100) {
                    throw PlatformException.invalid(
                            field + ".values",
                            "quality metric 'availability' is " + metric.values()
                                    + "; expected a percentage up to 100, e.g. \"99.9\"");
                }
            }
            case QualityMetric.ERROR_RATE -> {
                if (value > 1) {
                    throw PlatformException.invalid(
                            field + ".values",
                            "quality metric 'error_rate' is " + metric.values()
                                    + "; expected a fraction from 0 to 1, e.g. \"0.01\" for 1%");
                }
            }
            default -> {
                if (value == 0) {
                    throw PlatformException.invalid(
                            field + ".values",
                            "quality metric '" + metric.metric() + "' is 0; expected a positive number");
                }
            }
        }
    }

    private static void validateReplicas(AppSpec spec) {
        if (spec.maxReplicas() != null && (spec.maxReplicas() < 1 || spec.maxReplicas() > REPLICA_CEILING)) {
            throw PlatformException.invalid(
                    "max_replicas",
                    "field 'max_replicas' is " + spec.maxReplicas() + "; expected 1 to " + REPLICA_CEILING);
        }
        int max = spec.effectiveMaxReplicas();
        if (spec.minReplicas() != null && (spec.minReplicas() < 0 || spec.minReplicas() > max)) {
            throw PlatformException.invalid(
                    "min_replicas",
                    "field 'min_replicas' is " + spec.minReplicas() + "; expected 0 to max_replicas (" + max + ")");
        }
        if (spec.replicas() != null) {
            requireReplicaCount("replicas", spec.replicas(), spec);
        }
    }

    /** The fields of the platform's request queue: {@code concurrency}, {@code queue_timeout}, {@code idle_after}. */
    private static void validateServing(AppSpec spec) {
        if (spec.concurrency() != null && (spec.concurrency() < 1 || spec.concurrency() > MAX_CONCURRENCY)) {
            throw PlatformException.invalid(
                    "concurrency",
                    "field 'concurrency' is " + spec.concurrency() + "; expected the number of requests one replica"
                            + " serves at once, 1 to " + MAX_CONCURRENCY
                            + " (leave it out to let the platform learn it)");
        }
        requireSeconds("queue_timeout", spec.queueTimeout(), 0.001, 3600);
        requireSeconds("idle_after", spec.idleAfter(), 1, 86400);
    }

    private static void requireSeconds(String field, Double value, double min, double max) {
        if (value != null && !(value >= min && value <= max)) {
            throw PlatformException.invalid(
                    field,
                    "field '" + field + "' is " + value + "; expected seconds as a number from " + min + " to " + max
                            + ", e.g. 30");
        }
    }

    /** A replica count a person or scheduler asks for: 0 to the app's {@code max_replicas}. */
    public static void requireReplicaCount(String field, int replicas, AppSpec spec) {
        int max = spec.effectiveMaxReplicas();
        if (replicas < 0 || replicas > max) {
            throw PlatformException.invalid(
                    field,
                    "replica count " + replicas + " for app '" + spec.name()
                            + "' is out of range; expected 0 to max_replicas (" + max + ")");
        }
    }
}
