package emp.testsupport.mesos;

import static emp.testsupport.mesos.FrameworkEntry.roles;
import static emp.testsupport.mesos.HealthChecker.stopHealthChecks;
import static emp.testsupport.mesos.MasterState.cancel;
import static emp.testsupport.mesos.MasterValidation.validateFrameworkInfo;
import static emp.testsupport.mesos.MesosMessages.error;
import static emp.testsupport.mesos.MesosMessages.isTerminal;
import static emp.testsupport.mesos.MesosMessages.masterStatus;
import static emp.testsupport.mesos.StandInMaster.HOSTNAME;
import static emp.testsupport.mesos.StandInMaster.LOOPBACK_IP_AS_MESOS_UINT32;
import static emp.testsupport.mesos.StandInMaster.VERSION;

import emp.testsupport.mesos.SchedulerEndpoint.Reply;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.Address;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.MasterInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frameworks and their subscriptions: SUBSCRIBE (a new framework, one that comes back with its id, a failover to a new
 * connection), the event stream with its heartbeats, the failover timeout that starts when the connection goes,
 * UPDATE_FRAMEWORK, and removing a framework with its tasks.
 */
final class FrameworkSubscriptions {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private final MasterState master;
    private final Allocator allocator;
    private final StatusUpdateManager statusUpdates;

    FrameworkSubscriptions(MasterState master, Allocator allocator, StatusUpdateManager statusUpdates) {
        this.master = master;
        this.allocator = allocator;
        this.statusUpdates = statusUpdates;
    }

    void subscribe(
            Call.Subscribe subscribe,
            Optional<String> authenticated,
            String contentType,
            LoopbackHttpServer.Exchange exchange)
            throws IOException {
        String streamId = UUID.randomUUID().toString();
        LoopbackHttpServer.ChunkedStream stream =
                exchange.stream(200, Map.of("Content-Type", contentType, "Mesos-Stream-Id", streamId));
        Subscription subscription = new Subscription(streamId, contentType, stream, master.frames);
        stream.onClose(() -> subscriptionClosed(subscription));
        subscription.startWriter();
        synchronized (master.lock) {
            master.subscriptions++;
            subscribeLocked(subscription, subscribe, authenticated);
        }
    }

    private void subscribeLocked(Subscription subscription, Call.Subscribe subscribe, Optional<String> authenticated) {
        FrameworkInfo.Builder info = subscribe.getFrameworkInfo().toBuilder();
        if (authenticated.isPresent() && !info.hasPrincipal()) {
            info.setPrincipal(authenticated.get());
        }
        boolean known = info.hasId() && !info.getId().getValue().isEmpty();
        Optional<String> error = validateFrameworkInfo(info.build());
        if (error.isEmpty()
                && known
                && master.removedFrameworks.contains(info.getId().getValue())) {
            error = Optional.of("Framework has been removed");
        }
        if (error.isEmpty()) {
            Set<String> roles = roles(info.build());
            List<String> invalid = subscribe.getSuppressedRolesList().stream()
                    .filter(role -> !roles.contains(role))
                    .sorted()
                    .toList();
            if (!invalid.isEmpty()) {
                error = Optional.of("Suppressed roles { " + String.join(", ", invalid)
                        + " } are not contained in the set of roles");
            }
        }
        if (error.isPresent()) {
            refuse(subscription, error.get());
            return;
        }
        FrameworkEntry framework;
        if (!known) {
            String id = String.format("%s-%04d", master.masterId, master.frameworkSequence++);
            framework = new FrameworkEntry(
                    id, info.setId(FrameworkID.newBuilder().setValue(id)).build());
            master.frameworks.put(id, framework);
            log.info("framework '{}' ({}) subscribed", id, info.getName());
        } else {
            String id = info.getId().getValue();
            framework = master.frameworks.get(id);
            if (framework == null) {
                // As a master after failover, which learns about frameworks only when they come back.
                framework = new FrameworkEntry(id, info.build());
                master.frameworks.put(id, framework);
                log.info("framework '{}' ({}) subscribed again with its id", id, info.getName());
            } else {
                if (!info.getPrincipal().equals(framework.info.getPrincipal())
                        || info.hasPrincipal() != framework.info.hasPrincipal()) {
                    refuse(subscription, "Changing framework's principal is not allowed.");
                    return;
                }
                // The master keeps the user and checkpointing a framework first registered with.
                info.setUser(framework.info.getUser());
                info.setCheckpoint(framework.info.getCheckpoint());
                framework.info = info.build();
                if (framework.subscription != null) {
                    // Always fails the old connection over (MESOS-4712), whatever 'force' says.
                    Subscription old = framework.subscription;
                    framework.subscription = null;
                    old.framework = null;
                    cancel(old.heartbeat);
                    old.send(error("Framework failed over"));
                    old.finish();
                }
                log.info("framework '{}' ({}) failed over to a new subscription", id, info.getName());
            }
            cancel(framework.failoverTimer);
            for (OfferEntry offer : List.copyOf(master.offers.values())) {
                if (offer.framework == framework) {
                    master.offers.remove(offer.id);
                }
            }
        }
        Set<String> roles = roles(framework.info);
        framework.suppressed =
                !roles.isEmpty() && roles.stream().allMatch(subscribe.getSuppressedRolesList()::contains);
        framework.subscription = subscription;
        subscription.framework = framework;
        master.lastFrameworkId = framework.id;
        subscription.send(Event.newBuilder()
                .setType(Event.Type.SUBSCRIBED)
                .setSubscribed(Event.Subscribed.newBuilder()
                        .setFrameworkId(framework.info.getId())
                        .setHeartbeatIntervalSeconds(master.heartbeatInterval.toMillis() / 1000.0)
                        .setMasterInfo(masterInfo()))
                .build());
        subscription.send(Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
        long every = master.heartbeatInterval.toNanos();
        subscription.heartbeat = master.timer.scheduleAtFixedRate(
                () -> master.locked(
                        () -> {
                            if (subscription.framework != null && subscription.framework.subscription == subscription) {
                                subscription.send(Event.newBuilder()
                                        .setType(Event.Type.HEARTBEAT)
                                        .build());
                            }
                        },
                        "heartbeat"),
                every,
                every,
                TimeUnit.NANOSECONDS);
        // Agents hear of the framework's new connection (UpdateFrameworkMessage) and resend pending updates at once.
        for (TaskEntry task : master.tasks) {
            if (task.frameworkId.equals(framework.id) && !task.pending.isEmpty()) {
                statusUpdates.forward(task, master.statusRetryInterval);
            }
        }
        if (subscription.closed) {
            subscriptionClosedLocked(subscription);
        }
        allocator.allocateSoon();
    }

    private void refuse(Subscription subscription, String message) {
        log.info("refusing a subscription: {}", message);
        subscription.send(error(message));
        subscription.finish();
    }

    private MasterInfo masterInfo() {
        return MasterInfo.newBuilder()
                .setId(master.masterId)
                .setIp(LOOPBACK_IP_AS_MESOS_UINT32)
                .setPort(master.port)
                .setPid("master@" + HOSTNAME + ":" + master.port)
                .setHostname(HOSTNAME)
                .setVersion(VERSION)
                .setAddress(Address.newBuilder()
                        .setHostname(HOSTNAME)
                        .setIp(HOSTNAME)
                        .setPort(master.port))
                .addCapabilities(MasterInfo.Capability.newBuilder().setType(MasterInfo.Capability.Type.AGENT_UPDATE))
                .addCapabilities(MasterInfo.Capability.newBuilder().setType(MasterInfo.Capability.Type.AGENT_DRAINING))
                .build();
    }

    private void subscriptionClosed(Subscription subscription) {
        synchronized (master.lock) {
            subscriptionClosedLocked(subscription);
        }
    }

    /** A subscription's connection is gone: its framework is disconnected and its failover timeout starts. */
    private void subscriptionClosedLocked(Subscription subscription) {
        subscription.closed = true;
        cancel(subscription.heartbeat);
        subscription.stop();
        FrameworkEntry framework = subscription.framework;
        if (framework == null || framework.subscription != subscription) {
            return;
        }
        framework.subscription = null;
        // The allocator deactivates the framework, which drops its offer filters.
        framework.filters.clear();
        log.info("framework '{}' disconnected", framework.id);
        for (OfferEntry offer : List.copyOf(master.offers.values())) {
            if (offer.framework == framework) {
                master.offers.remove(offer.id);
            }
        }
        if (master.paused || master.closed) {
            return;
        }
        double timeout = framework.info.getFailoverTimeout();
        long nanos = (long) Math.min(Math.max(timeout, 0) * 1e9, Long.MAX_VALUE / 2.0);
        framework.failoverTimer = master.timer.schedule(
                () -> master.locked(
                        () -> {
                            if (master.frameworks.get(framework.id) == framework && framework.subscription == null) {
                                removeFramework(framework, "its failover timeout of " + timeout + " s ran out");
                            }
                        },
                        "failover timeout"),
                nanos,
                TimeUnit.NANOSECONDS);
    }

    /** The framework is removed for good: its tasks are killed and its id may not subscribe again. */
    void removeFramework(FrameworkEntry framework, String why) {
        log.info("removing framework '{}': {}", framework.id, why);
        master.frameworks.remove(framework.id);
        master.removedFrameworks.add(framework.id);
        cancel(framework.failoverTimer);
        if (framework.subscription != null) {
            Subscription subscription = framework.subscription;
            framework.subscription = null;
            subscription.framework = null;
            cancel(subscription.heartbeat);
            subscription.finish();
        }
        for (OfferEntry offer : List.copyOf(master.offers.values())) {
            if (offer.framework == framework) {
                master.offers.remove(offer.id);
            }
        }
        for (TaskEntry task : master.tasks) {
            if (!task.frameworkId.equals(framework.id) || task.shutdown) {
                continue;
            }
            task.shutdown = true;
            cancel(task.retry);
            task.pending.clear();
            stopHealthChecks(task);
            if (!isTerminal(task.state) && !task.agentGone) {
                TaskStatus status = masterStatus(
                                task.taskId,
                                task.agent.id,
                                TaskState.TASK_KILLED,
                                "Framework " + framework.id + " removed",
                                TaskStatus.Reason.REASON_FRAMEWORK_REMOVED)
                        .build();
                task.state = TaskState.TASK_KILLED;
                task.statuses.add(status);
                master.releaseResources(task);
            }
            task.removedFromMaster = true;
            if (task.process != null && task.process.isAlive()) {
                ProcessHandle process = task.process.toHandle();
                master.workers.execute(() -> ProcessTrees.signal(process, false));
                master.timer.schedule(
                        () -> {
                            if (process.isAlive()) {
                                ProcessTrees.signal(process, true);
                            }
                        },
                        TaskKiller.DEFAULT_KILL_GRACE_PERIOD.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        master.groupExecutors.values().removeIf(executor -> executor.frameworkId.equals(framework.id));
    }

    Reply updateFramework(FrameworkEntry framework, Call.UpdateFramework call) {
        FrameworkInfo info = call.getFrameworkInfo();
        Optional<String> error = validateFrameworkInfo(info);
        if (error.isPresent()) {
            return new Reply(400, "Supplied FrameworkInfo is not valid: " + error.get());
        }
        if (info.hasPrincipal() != framework.info.hasPrincipal()
                || !info.getPrincipal().equals(framework.info.getPrincipal())) {
            return new Reply(400, "FrameworkInfo update is not valid: Changing framework's principal is not allowed.");
        }
        if (!info.getUser().equals(framework.info.getUser())) {
            return new Reply(
                    400,
                    "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to"
                            + " update from '" + framework.info.getUser() + "' to '" + info.getUser() + "'");
        }
        if (info.getCheckpoint() != framework.info.getCheckpoint()) {
            return new Reply(
                    400,
                    "FrameworkInfo update is not valid: Updating 'FrameworkInfo.checkpoint' is unsupported;"
                            + " attempted to update from '" + framework.info.getCheckpoint() + "' to '"
                            + info.getCheckpoint() + "'");
        }
        Set<String> roles = roles(info);
        if (!roles.containsAll(call.getSuppressedRolesList())) {
            return new Reply(
                    400, "'UpdateFramework' call is not valid: Suppressed roles are not contained in the set of roles");
        }
        framework.info = info;
        framework.suppressed = !roles.isEmpty() && roles.stream().allMatch(call.getSuppressedRolesList()::contains);
        allocator.allocateSoon();
        return new Reply(200, "");
    }
}
