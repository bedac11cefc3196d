package emp.testsupport.mesos;

import static emp.testsupport.mesos.HealthChecker.stopHealthChecks;
import static emp.testsupport.mesos.MasterState.cancel;
import static emp.testsupport.mesos.MesosMessages.isTerminal;
import static emp.testsupport.mesos.StandInMaster.HOSTNAME;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' side of a task: the container it may not have, its sandbox and fetched URIs, its environment, its
 * process and what the process's exit means. Runs off the lock and takes it to change the task.
 */
final class TaskProcesses {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private final MasterState master;
    private final StatusUpdateManager statusUpdates;
    private final TaskKiller killer;
    private final HealthChecker health;

    TaskProcesses(MasterState master, StatusUpdateManager statusUpdates, TaskKiller killer, HealthChecker health) {
        this.master = master;
        this.statusUpdates = statusUpdates;
        this.killer = killer;
        this.health = health;
    }

    /** The agent launches the task: a container, a sandbox, the fetched URIs, the command. Runs off the lock. */
    void launchOnAgent(TaskEntry task) {
        Optional<String> unsupported = unsupportedContainer(task);
        synchronized (master.lock) {
            if (task.shutdown || task.agentGone) {
                return;
            }
            if (unsupported.isPresent()) {
                statusUpdates.agentUpdate(
                        task,
                        TaskState.TASK_FAILED,
                        TaskStatus.Source.SOURCE_AGENT,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
                        "Failed to launch container: " + unsupported.get());
                return;
            }
            if (task.killRequested) {
                statusUpdates.agentUpdate(
                        task,
                        TaskState.TASK_KILLED,
                        TaskStatus.Source.SOURCE_AGENT,
                        TaskStatus.Reason.REASON_TASK_KILLED_DURING_LAUNCH,
                        "Killed before delivery to the executor");
                return;
            }
            if (task.info.hasExecutor() && task.group == null) {
                statusUpdates.agentUpdate(
                        task,
                        TaskState.TASK_FAILED,
                        TaskStatus.Source.SOURCE_AGENT,
                        TaskStatus.Reason.REASON_EXECUTOR_TERMINATED,
                        "Custom executors cannot run on the stand-in agent; use command tasks or LAUNCH_GROUP");
                return;
            }
            task.launching = true;
        }
        Optional<String> prepared = prepareSandbox(task);
        if (prepared.isPresent()) {
            synchronized (master.lock) {
                if (!task.shutdown && !task.agentGone) {
                    statusUpdates.agentUpdate(
                            task,
                            TaskState.TASK_FAILED,
                            TaskStatus.Source.SOURCE_AGENT,
                            TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED,
                            "Failed to launch container: " + prepared.get());
                }
            }
            return;
        }
        CommandInfo command = task.info.getCommand();
        List<String> argv =
                command.getShell() ? List.of("sh", "-c", command.getValue()) : List.copyOf(command.getArgumentsList());
        List<String> exec = new ArrayList<>();
        exec.add(command.getShell() ? "sh" : command.getValue());
        if (command.getShell()) {
            exec.add("-c");
            exec.add(command.getValue());
        } else if (argv.size() > 1) {
            exec.addAll(argv.subList(1, argv.size()));
        }
        Map<String, String> environment;
        synchronized (master.lock) {
            environment = taskEnvironment(task);
            task.environment = environment;
            task.argv = argv.isEmpty() ? List.of(command.getValue()) : argv;
            if (task.shutdown || task.agentGone) {
                return;
            }
            statusUpdates.agentUpdate(task, TaskState.TASK_STARTING, TaskStatus.Source.SOURCE_EXECUTOR, null, null);
        }
        Process process = null;
        String failure = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(exec)
                    .directory(task.sandbox.toFile())
                    .redirectOutput(
                            Redirect.appendTo(task.sandbox.resolve("stdout").toFile()))
                    .redirectError(
                            Redirect.appendTo(task.sandbox.resolve("stderr").toFile()))
                    .redirectInput(Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(environment);
            process = builder.start();
            ProcessTrees.track(process.toHandle());
        } catch (IOException | RuntimeException e) {
            failure = "Failed to execute command: " + e.getMessage();
            try {
                Files.writeString(
                        task.sandbox.resolve("stderr"),
                        failure + "\n",
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException ignored) {
                // The update below says what happened.
            }
        }
        Process started = process;
        synchronized (master.lock) {
            task.process = started;
            if (task.shutdown || task.agentGone) {
                if (started != null) {
                    ProcessHandle handle = started.toHandle();
                    master.workers.execute(() -> ProcessTrees.signal(handle, true));
                }
                return;
            }
            statusUpdates.agentUpdate(task, TaskState.TASK_RUNNING, TaskStatus.Source.SOURCE_EXECUTOR, null, null);
            if (started == null) {
                // As when mesos-containerizer cannot exec the command: it exits with status 1.
                task.terminated = true;
                statusUpdates.agentUpdate(
                        task,
                        TaskState.TASK_FAILED,
                        TaskStatus.Source.SOURCE_EXECUTOR,
                        null,
                        "Command exited with status 1");
                return;
            }
            log.info("task '{}' runs as process {}: {}", task.taskId, started.pid(), task.argv);
            health.startHealthChecks(task);
            if (task.killRequested) {
                killer.killRunning(task, task.killOverride);
            }
        }
        started.onExit().thenAccept(exited -> processExited(task, exited.exitValue()));
    }

    private static Optional<String> unsupportedContainer(TaskEntry task) {
        if (!task.info.hasContainer()) {
            return Optional.empty();
        }
        ContainerInfo container = task.info.getContainer();
        if (container.getType() == ContainerInfo.Type.DOCKER) {
            // The Mesos containerizer declines non-MESOS containers; no other containerizer is enabled.
            return Optional.of("None of the enabled containerizers (mesos) could create a container for the"
                    + " provided TaskInfo/ExecutorInfo message");
        }
        if (container.getType() != ContainerInfo.Type.MESOS) {
            return Optional.of("None of the enabled containerizers (mesos) could create a container for the"
                    + " provided TaskInfo/ExecutorInfo message");
        }
        if (container.hasMesos() && container.getMesos().hasImage()) {
            return Optional.of("Failed to create container: Unsupported container image type: "
                    + container.getMesos().getImage().getType());
        }
        return Optional.empty();
    }

    /** Makes the sandbox and fetches the command's URIs into it (copies and downloads; archives are not extracted). */
    private Optional<String> prepareSandbox(TaskEntry task) {
        try {
            Files.createDirectories(task.sandbox);
            for (String file : List.of("stdout", "stderr")) {
                Path path = task.sandbox.resolve(file);
                if (!Files.exists(path)) {
                    Files.createFile(path);
                }
            }
        } catch (IOException e) {
            return Optional.of("Failed to create the sandbox " + task.sandbox + ": " + e);
        }
        synchronized (master.lock) {
            task.sandboxMade = true;
        }
        for (CommandInfo.URI uri : task.info.getCommand().getUrisList()) {
            String value = uri.getValue();
            String name = uri.hasOutputFile() ? uri.getOutputFile() : value.substring(value.lastIndexOf('/') + 1);
            Path target = task.sandbox.resolve(name);
            try {
                if (value.startsWith("http://") || value.startsWith("https://")) {
                    HttpResponse<Path> response = master.probes.send(
                            HttpRequest.newBuilder(URI.create(value))
                                    .timeout(Duration.ofSeconds(60))
                                    .build(),
                            HttpResponse.BodyHandlers.ofFile(target));
                    if (response.statusCode() != 200) {
                        throw new IOException("HTTP " + response.statusCode() + " from " + value);
                    }
                } else {
                    Path source = value.startsWith("file://") ? Path.of(URI.create(value)) : Path.of(value);
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
                if (uri.getExecutable()) {
                    target.toFile().setExecutable(true);
                }
            } catch (IOException | RuntimeException e) {
                return Optional.of("Failed to fetch all URIs for container '" + task.containerId + "': " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("Failed to fetch all URIs for container '" + task.containerId + "': interrupted");
            }
        }
        return Optional.empty();
    }

    /** A minimal base (PATH, no HOME), the agent's MESOS_* variables, then the command's own variables. */
    private Map<String, String> taskEnvironment(TaskEntry task) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put(
                "PATH",
                System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        environment.put("MESOS_SANDBOX", task.sandbox.toString());
        environment.put("MESOS_DIRECTORY", task.sandbox.toString());
        environment.put("MESOS_TASK_ID", task.taskId);
        environment.put("MESOS_FRAMEWORK_ID", task.frameworkId);
        environment.put("MESOS_EXECUTOR_ID", task.executorId);
        environment.put("MESOS_AGENT_ENDPOINT", HOSTNAME + ":" + task.agent.port);
        environment.put("MESOS_SLAVE_ID", task.agent.id);
        environment.put(
                "MESOS_ALLOCATION_ROLE",
                task.info.getResourcesList().isEmpty()
                        ? "*"
                        : task.info.getResources(0).getAllocationInfo().getRole());
        for (Environment.Variable variable :
                task.info.getCommand().getEnvironment().getVariablesList()) {
            // Secrets are never resolved here, as on an agent without a secret resolver.
            if (variable.getType() != Environment.Variable.Type.SECRET) {
                environment.put(variable.getName(), variable.getValue());
            }
        }
        return environment;
    }

    private void processExited(TaskEntry task, int exitCode) {
        synchronized (master.lock) {
            task.terminated = true;
            cancel(task.escalation);
            stopHealthChecks(task);
            if (task.shutdown || task.agentGone) {
                return;
            }
            String exit = task.signalled && exitCode > 128 && exitCode <= 128 + 64
                    ? "terminated with signal " + ProcessTrees.signalName(exitCode - 128)
                    : "exited with status " + exitCode;
            TaskState state;
            String message;
            if (task.failMessage != null) {
                state = TaskState.TASK_FAILED;
                message = task.failMessage;
            } else if (task.killed) {
                state = TaskState.TASK_KILLED;
                message = "Command " + exit;
            } else if (exitCode == 0) {
                state = TaskState.TASK_FINISHED;
                message = "Command " + exit;
            } else {
                state = TaskState.TASK_FAILED;
                message = "Command " + exit;
            }
            TaskStatus.Builder status =
                    statusUpdates.agentStatus(task, state, TaskStatus.Source.SOURCE_EXECUTOR, null, message);
            if (task.killed && task.killedByHealthCheck) {
                status.setHealthy(false);
            }
            statusUpdates.enqueue(task, status.build());
            log.info("task '{}' (process {}): {}", task.taskId, task.process.pid(), message);
            if (task.group != null && state != TaskState.TASK_FINISHED) {
                // The default executor kills the rest of a group when one of its tasks fails or is killed.
                for (TaskEntry sibling : task.group.tasks) {
                    if (sibling != task && !sibling.terminated && !isTerminal(sibling.state)) {
                        killer.killTask(sibling, null);
                    }
                }
            }
        }
    }
}
