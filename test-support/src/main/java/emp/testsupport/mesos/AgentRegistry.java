package emp.testsupport.mesos;

import static emp.testsupport.mesos.HealthChecker.stopHealthChecks;
import static emp.testsupport.mesos.MasterState.cancel;
import static emp.testsupport.mesos.MesosMessages.agentId;
import static emp.testsupport.mesos.MesosMessages.isTerminal;
import static emp.testsupport.mesos.MesosMessages.masterStatus;
import static emp.testsupport.mesos.MesosMessages.update;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.TimeInfo;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's agents: an agent registers with its own HTTP server and folder, and is removed as when its host dies
 * (unreachable, and may come back empty) or when an operator marks it gone (for good). Removing one ends its tasks,
 * tells their frameworks and rescinds its offers.
 */
final class AgentRegistry {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private final MasterState master;
    private final Allocator allocator;
    private final AgentEndpoints endpoints;

    AgentRegistry(MasterState master, Allocator allocator, AgentEndpoints endpoints) {
        this.master = master;
        this.allocator = allocator;
        this.endpoints = endpoints;
    }

    /** As {@link StandInMaster#loseAgent}. */
    void loseAgent(String agentId) {
        List<ProcessHandle> toKill = new ArrayList<>();
        LoopbackHttpServer agentServer;
        synchronized (master.lock) {
            AgentEntry agent = master.agents.get(agentId);
            if (agent == null) {
                throw new IllegalArgumentException(
                        "agent '" + agentId + "' is not registered; known agents are " + master.agents.keySet());
            }
            TimeInfo now = TimeInfo.newBuilder()
                    .setNanoseconds(System.currentTimeMillis() * 1_000_000)
                    .build();
            master.unreachableAgents.put(agentId, now);
            agentServer = removeAgent(agent, toKill, "health check timed out", Optional.of(now));
        }
        stopAgent(agentServer, toKill);
    }

    /** As {@link StandInMaster#markAgentGone}. */
    void markAgentGone(String agentId) {
        List<ProcessHandle> toKill = new ArrayList<>();
        LoopbackHttpServer agentServer = null;
        synchronized (master.lock) {
            AgentEntry agent = master.agents.get(agentId);
            if (agent != null) {
                agentServer = removeAgent(agent, toKill, "Agent has been marked gone", Optional.empty());
            } else if (master.unreachableAgents.remove(agentId) != null) {
                // Its tasks were unreachable; now they are gone for good.
                for (TaskEntry task : master.tasks) {
                    if (task.agent.id.equals(agentId) && task.unreachable) {
                        task.unreachable = false;
                        FrameworkEntry framework = master.frameworks.get(task.frameworkId);
                        if (framework != null) {
                            boolean partitionAware = framework.partitionAware();
                            TaskStatus status = masterStatus(
                                            task.taskId,
                                            agentId,
                                            partitionAware ? TaskState.TASK_GONE_BY_OPERATOR : TaskState.TASK_LOST,
                                            "Agent has been marked gone",
                                            partitionAware
                                                    ? TaskStatus.Reason.REASON_AGENT_REMOVED_BY_OPERATOR
                                                    : TaskStatus.Reason.REASON_AGENT_REMOVED)
                                    .build();
                            task.state = status.getState();
                            task.statuses.add(status);
                            master.send(framework, update(status));
                        }
                    }
                }
            } else {
                throw new IllegalArgumentException("agent '" + agentId + "' is neither registered nor unreachable");
            }
            master.goneAgents.add(agentId);
        }
        if (agentServer != null) {
            stopAgent(agentServer, toKill);
        }
    }

    /** Removes a registered agent from the master as {@code __removeSlave} does; the caller stops it outside the lock. */
    private LoopbackHttpServer removeAgent(
            AgentEntry agent, List<ProcessHandle> toKill, String message, Optional<TimeInfo> unreachableTime) {
        master.agents.remove(agent.id);
        for (TaskEntry task : master.tasks) {
            if (task.agent != agent) {
                continue;
            }
            task.agentGone = true;
            cancel(task.retry);
            task.pending.clear();
            stopHealthChecks(task);
            cancel(task.escalation);
            if (task.process != null && task.process.isAlive()) {
                toKill.add(task.process.toHandle());
            }
            master.releaseResources(task);
            if (task.removedFromMaster) {
                continue;
            }
            task.removedFromMaster = true;
            FrameworkEntry framework = master.frameworks.get(task.frameworkId);
            boolean partitionAware = framework != null && framework.partitionAware();
            TaskState state;
            TaskStatus.Reason reason = TaskStatus.Reason.REASON_AGENT_REMOVED;
            if (!partitionAware) {
                state = TaskState.TASK_LOST;
            } else if (unreachableTime.isPresent()) {
                state = TaskState.TASK_UNREACHABLE;
                task.unreachable = true;
            } else {
                state = TaskState.TASK_GONE_BY_OPERATOR;
                reason = TaskStatus.Reason.REASON_AGENT_REMOVED_BY_OPERATOR;
            }
            TaskStatus.Builder status = masterStatus(task.taskId, agent.id, state, message, reason);
            if (task.info.hasExecutor()) {
                status.setExecutorId(task.info.getExecutor().getExecutorId());
            }
            unreachableTime.ifPresent(status::setUnreachableTime);
            if (!isTerminal(task.state)) {
                task.state = state;
            }
            task.statuses.add(status.build());
            if (framework != null) {
                master.send(framework, update(status.build()));
            }
        }
        master.groupExecutors.values().removeIf(executor -> executor.agentId.equals(agent.id));
        for (OfferEntry offer : List.copyOf(master.offers.values())) {
            if (offer.agent == agent) {
                allocator.rescind(offer);
            }
        }
        for (FrameworkEntry framework : master.frameworks.values()) {
            master.send(
                    framework,
                    Event.newBuilder()
                            .setType(Event.Type.FAILURE)
                            .setFailure(Event.Failure.newBuilder().setAgentId(agentId(agent.id)))
                            .build());
        }
        log.info("stand-in agent '{}' removed: {}", agent.id, message);
        return agent.server;
    }

    private void stopAgent(LoopbackHttpServer agentServer, List<ProcessHandle> toKill) {
        agentServer.close();
        for (ProcessHandle process : toKill) {
            ProcessTrees.signal(process, true);
        }
    }

    /** As {@link StandInMaster#addAgent}. */
    void addAgent(String agentId, double cpus, double memMb, int portsBegin, int portsEnd) {
        AgentSpec spec = new AgentSpec(agentId, cpus, memMb, portsBegin, portsEnd);
        synchronized (master.lock) {
            if (master.agents.containsKey(agentId)) {
                throw new IllegalArgumentException("agent '" + agentId + "' is registered already");
            }
            if (master.goneAgents.contains(agentId)) {
                throw new IllegalStateException(
                        "agent '" + agentId + "' was marked gone; a gone agent cannot register again");
            }
        }
        Path dir = master.workDir.resolve("agents").resolve(agentId);
        AgentEntry agent = new AgentEntry(
                agentId, ResourceSet.ofAgent(spec.cpus(), spec.memMb(), spec.portsBegin(), spec.portsEnd()), dir);
        try {
            Files.createDirectories(dir);
            agent.server = new LoopbackHttpServer(
                    "stand-in-mesos-agent-" + agentId,
                    0,
                    (request, exchange) -> endpoints.handleAgent(agent, request, exchange));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start stand-in agent '" + agentId + "' in " + dir, e);
        }
        agent.port = agent.server.port();
        synchronized (master.lock) {
            if (master.closed) {
                agent.server.close();
                throw new IllegalStateException("the stand-in master is closed");
            }
            master.agents.put(agentId, agent);
            if (master.unreachableAgents.remove(agentId) != null) {
                // It comes back without its tasks: they are no longer unreachable but unknown to the agent.
                for (TaskEntry task : master.tasks) {
                    if (task.agent.id.equals(agentId)) {
                        task.unreachable = false;
                    }
                }
            }
        }
        log.info("stand-in agent '{}' at 127.0.0.1:{} offers {}", agentId, agent.port, agent.total);
        allocator.allocateSoon();
    }
}
