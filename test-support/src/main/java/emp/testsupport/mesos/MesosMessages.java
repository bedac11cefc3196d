package emp.testsupport.mesos;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * The protobuf messages the stand-in master and its agents make: scheduler events, task status updates, ids and uuids;
 * and which task states are terminal.
 */
final class MesosMessages {
    private MesosMessages() {}

    static Event update(TaskStatus status) {
        return Event.newBuilder()
                .setType(Event.Type.UPDATE)
                .setUpdate(Event.Update.newBuilder().setStatus(status))
                .build();
    }

    static Event error(String message) {
        return Event.newBuilder()
                .setType(Event.Type.ERROR)
                .setError(Event.Error.newBuilder().setMessage(message))
                .build();
    }

    /** An update the master makes itself: SOURCE_MASTER and no uuid, so it is neither retried nor acknowledged. */
    static TaskStatus.Builder masterStatus(
            String taskId, String agentId, TaskState state, String message, TaskStatus.Reason reason) {
        TaskStatus.Builder status = TaskStatus.newBuilder()
                .setTaskId(TaskID.newBuilder().setValue(taskId))
                .setState(state)
                .setSource(TaskStatus.Source.SOURCE_MASTER)
                .setMessage(message)
                .setReason(reason)
                .setTimestamp(System.currentTimeMillis() / 1000.0);
        if (agentId != null) {
            status.setAgentId(agentId(agentId));
        }
        return status;
    }

    static AgentID agentId(String id) {
        return AgentID.newBuilder().setValue(id).build();
    }

    static OfferID offerId(String id) {
        return OfferID.newBuilder().setValue(id).build();
    }

    static List<String> ids(List<OfferID> ids) {
        return ids.stream().map(OfferID::getValue).toList();
    }

    static ByteString randomUuid() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return ByteString.copyFrom(bytes.array());
    }

    static String uuidString(ByteString bytes) {
        if (bytes.size() != 16) {
            return bytes.toStringUtf8();
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    static boolean isTerminal(TaskState state) {
        return switch (state) {
            case TASK_FINISHED,
                    TASK_FAILED,
                    TASK_KILLED,
                    TASK_LOST,
                    TASK_ERROR,
                    TASK_DROPPED,
                    TASK_GONE,
                    TASK_GONE_BY_OPERATOR -> true;
            default -> false;
        };
    }
}
