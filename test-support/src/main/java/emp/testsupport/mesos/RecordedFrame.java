package emp.testsupport.mesos;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * One event as the stand-in master wrote it to a subscription stream.
 *
 * @param streamId    the {@code Mesos-Stream-Id} of the subscription it went to
 * @param type        the event's type
 * @param data        the record's data exactly as sent: the event in JSON or binary protobuf
 * @param contentType {@code application/json} or {@code application/x-protobuf}
 */
public record RecordedFrame(String streamId, Event.Type type, byte[] data, String contentType) {
    public RecordedFrame {
        requireNonNull(streamId, "streamId is null");
        requireNonNull(type, "type is null");
        data = data.clone();
        requireNonNull(contentType, "contentType is null");
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The whole RecordIO record as it went over the wire: the data's length in decimal, a line feed, the data. */
    public byte[] record() {
        byte[] prefix = (data.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] record = new byte[prefix.length + data.length];
        System.arraycopy(prefix, 0, record, 0, prefix.length);
        System.arraycopy(data, 0, record, prefix.length, data.length);
        return record;
    }

    /** The event, read back with mesos-java's own classes. */
    public Event decode() throws InvalidProtocolBufferException {
        if (contentType.equals(StandInMaster.APPLICATION_PROTOBUF)) {
            return Event.parseFrom(data);
        }
        Event.Builder event = Event.newBuilder();
        JsonFormat.parser().merge(new String(data, StandardCharsets.UTF_8), event);
        return event.build();
    }
}
