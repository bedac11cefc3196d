package emp.testsupport.mesos;

import static emp.testsupport.mesos.MasterState.cancel;
import static emp.testsupport.mesos.MesosMessages.randomUuid;
import static emp.testsupport.mesos.StandInMaster.HOSTNAME;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health checks, as the command executor runs them: an HTTP, TCP or COMMAND probe after the delay and then every
 * interval, failures ignored during the grace period, an update when the health changes, and a kill after too many
 * consecutive failures.
 */
final class HealthChecker {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private final MasterState master;
    private final StatusUpdateManager statusUpdates;
    private final TaskKiller killer;

    HealthChecker(MasterState master, StatusUpdateManager statusUpdates, TaskKiller killer) {
        this.master = master;
        this.statusUpdates = statusUpdates;
        this.killer = killer;
    }

    void startHealthChecks(TaskEntry task) {
        if (!task.info.hasHealthCheck()) {
            return;
        }
        task.healthStarted = System.nanoTime();
        task.healthInitializing = true;
        scheduleHealthCheck(task, task.info.getHealthCheck().getDelaySeconds());
    }

    private void scheduleHealthCheck(TaskEntry task, double seconds) {
        if (task.healthStopped) {
            return;
        }
        try {
            task.healthCheck = master.timer.schedule(
                    () -> master.workers.execute(() -> runHealthCheck(task)),
                    (long) (Math.max(0, seconds) * 1e9),
                    TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            // Closed.
        }
    }

    static void stopHealthChecks(TaskEntry task) {
        task.healthStopped = true;
        cancel(task.healthCheck);
    }

    private void runHealthCheck(TaskEntry task) {
        HealthCheck check;
        Map<String, String> environment;
        synchronized (master.lock) {
            if (task.healthStopped || task.killed || task.terminated) {
                return;
            }
            check = task.info.getHealthCheck();
            environment = task.environment;
        }
        boolean healthy = probe(task, check, environment);
        synchronized (master.lock) {
            if (task.healthStopped || task.killed || task.terminated) {
                return;
            }
            if (healthy) {
                // A healthy update on the first success, and on the first success after failures.
                if (task.healthInitializing || task.consecutiveFailures > 0) {
                    healthUpdate(task, true);
                    task.healthInitializing = false;
                }
                task.consecutiveFailures = 0;
            } else {
                double elapsed = (System.nanoTime() - task.healthStarted) / 1e9;
                if (task.healthInitializing
                        && check.getGracePeriodSeconds() > 0
                        && elapsed <= check.getGracePeriodSeconds()) {
                    log.info("ignoring a failed health check of task '{}': still in its grace period", task.taskId);
                } else {
                    task.consecutiveFailures++;
                    healthUpdate(task, false);
                    if (task.consecutiveFailures >= check.getConsecutiveFailures()) {
                        log.info(
                                "killing task '{}' after {} consecutive failed health checks",
                                task.taskId,
                                task.consecutiveFailures);
                        task.killedByHealthCheck = true;
                        killer.killRunning(task, null);
                        return;
                    }
                }
            }
            scheduleHealthCheck(task, check.getIntervalSeconds());
        }
    }

    /** The last status the executor sent, again with a new uuid and the health: what the command executor sends. */
    private void healthUpdate(TaskEntry task, boolean healthy) {
        TaskStatus.Builder status = task.lastExecutorStatus == null
                ? statusUpdates.agentStatus(task, TaskState.TASK_RUNNING, TaskStatus.Source.SOURCE_EXECUTOR, null, null)
                : task.lastExecutorStatus.toBuilder();
        status.setUuid(randomUuid())
                .setTimestamp(System.currentTimeMillis() / 1000.0)
                .setReason(TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED)
                .setHealthy(healthy);
        statusUpdates.enqueue(task, status.build());
    }

    private boolean probe(TaskEntry task, HealthCheck check, Map<String, String> environment) {
        Duration timeout = check.getTimeoutSeconds() > 0
                ? Duration.ofNanos((long) (check.getTimeoutSeconds() * 1e9))
                : Duration.ofHours(1);
        try {
            switch (check.getType()) {
                case HTTP -> {
                    String scheme =
                            check.getHttp().hasScheme() ? check.getHttp().getScheme() : "http";
                    URI target = URI.create(scheme + "://" + HOSTNAME + ":"
                            + check.getHttp().getPort() + check.getHttp().getPath());
                    HttpResponse<Void> response = master.probes.send(
                            HttpRequest.newBuilder(target)
                                    .timeout(timeout)
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    return response.statusCode() >= 200 && response.statusCode() < 400;
                }
                case TCP -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(
                                new InetSocketAddress(HOSTNAME, check.getTcp().getPort()),
                                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                        return true;
                    }
                }
                case COMMAND -> {
                    CommandInfo command = check.getCommand();
                    List<String> exec = new ArrayList<>();
                    if (command.getShell()) {
                        exec.addAll(List.of("sh", "-c", command.getValue()));
                    } else {
                        exec.add(command.getValue());
                        if (command.getArgumentsCount() > 1) {
                            exec.addAll(command.getArgumentsList().subList(1, command.getArgumentsCount()));
                        }
                    }
                    ProcessBuilder builder = new ProcessBuilder(exec)
                            .directory(task.sandbox.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(Redirect.DISCARD);
                    builder.environment().clear();
                    builder.environment().putAll(environment);
                    for (Environment.Variable variable :
                            command.getEnvironment().getVariablesList()) {
                        builder.environment().put(variable.getName(), variable.getValue());
                    }
                    Process process = builder.start();
                    if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                        ProcessTrees.signal(process.toHandle(), true);
                        return false;
                    }
                    return process.exitValue() == 0;
                }
                default -> {
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
