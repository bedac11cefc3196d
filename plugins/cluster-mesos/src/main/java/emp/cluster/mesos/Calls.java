package emp.cluster.mesos;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;

/** The scheduler calls EMP's framework makes, and the framework's registration, in mesos-java's types. */
final class Calls {
    private Calls() {}

    /**
     * How EMP registers: its user, name, role and failover timeout, the capabilities it uses (several roles' form of
     * the role, and TASK_KILLING between a kill and its end), its principal, and its id when it has one (a failover).
     */
    static FrameworkInfo framework(MesosClusterConfig config, FrameworkID id) {
        FrameworkInfo.Builder info = FrameworkInfo.newBuilder()
                .setUser(config.user())
                .setName(config.frameworkName())
                .setFailoverTimeout(config.failoverTimeout().toMillis() / 1000.0)
                .addRoles(config.role())
                .addCapabilities(capability(FrameworkInfo.Capability.Type.MULTI_ROLE))
                .addCapabilities(capability(FrameworkInfo.Capability.Type.TASK_KILLING_STATE));
        if (config.authenticates()) {
            info.setPrincipal(config.principal());
        }
        if (id != null) {
            info.setId(id);
        }
        return info.build();
    }

    /** A call of a type that carries nothing more (REVIVE, SUPPRESS), of the framework {@code id} (null: none yet). */
    static Call simple(Call.Type type, FrameworkID id) {
        return of(type, id).build();
    }

    static Call launch(FrameworkID id, OfferID offer, List<TaskInfo> tasks, Duration refuseRest) {
        return of(Call.Type.ACCEPT, id)
                .setAccept(Call.Accept.newBuilder()
                        .addOfferIds(offer)
                        .addOperations(Offer.Operation.newBuilder()
                                .setType(Offer.Operation.Type.LAUNCH)
                                .setLaunch(Offer.Operation.Launch.newBuilder().addAllTaskInfos(tasks)))
                        .setFilters(refuse(refuseRest)))
                .build();
    }

    static Call decline(FrameworkID id, OfferID offer, Duration refuse) {
        return of(Call.Type.DECLINE, id)
                .setDecline(Call.Decline.newBuilder().addOfferIds(offer).setFilters(refuse(refuse)))
                .build();
    }

    static Call kill(FrameworkID id, String taskId, String agentId) {
        return of(Call.Type.KILL, id)
                .setKill(Call.Kill.newBuilder()
                        .setTaskId(TaskID.newBuilder().setValue(taskId))
                        .setAgentId(AgentID.newBuilder().setValue(agentId)))
                .build();
    }

    /** The acknowledgement of an update that carries a uuid. */
    static Call acknowledge(FrameworkID id, TaskStatus status) {
        return of(Call.Type.ACKNOWLEDGE, id)
                .setAcknowledge(Call.Acknowledge.newBuilder()
                        .setAgentId(status.getAgentId())
                        .setTaskId(status.getTaskId())
                        .setUuid(status.getUuid()))
                .build();
    }

    /** A reconciliation of {@code tasks}; of none, an implicit one: the master tells of every task it knows. */
    static Call reconcile(FrameworkID id, Collection<MesosTask> tasks) {
        Call.Reconcile.Builder reconcile = Call.Reconcile.newBuilder();
        for (MesosTask task : tasks) {
            reconcile.addTasks(Call.Reconcile.Task.newBuilder()
                    .setTaskId(TaskID.newBuilder().setValue(task.id))
                    .setAgentId(AgentID.newBuilder().setValue(task.agentId)));
        }
        return of(Call.Type.RECONCILE, id).setReconcile(reconcile).build();
    }

    private static Call.Builder of(Call.Type type, FrameworkID id) {
        Call.Builder call = Call.newBuilder().setType(type);
        if (id != null) {
            call.setFrameworkId(id);
        }
        return call;
    }

    private static Filters refuse(Duration duration) {
        return Filters.newBuilder()
                .setRefuseSeconds(duration.toMillis() / 1000.0)
                .build();
    }

    private static FrameworkInfo.Capability capability(FrameworkInfo.Capability.Type type) {
        return FrameworkInfo.Capability.newBuilder().setType(type).build();
    }
}
