package emp.testsupport.mesos;

import static emp.testsupport.mesos.StandInMaster.APPLICATION_JSON;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * One SUBSCRIBE's event stream. Events are queued under the lock and written, in order, by a thread of the
 * stream's own, so that a slow scheduler never holds the master up. Each event goes out as a RecordIO record (its
 * length in decimal, a line feed, the event in JSON or protobuf) and is recorded as a {@link RecordedFrame}.
 */
final class Subscription {
    private static final Object FINISH = new Object();
    private static final Object STOP = new Object();

    final String streamId;
    final String contentType;
    final LoopbackHttpServer.ChunkedStream stream;
    final LinkedBlockingQueue<Object> outbox = new LinkedBlockingQueue<>();
    FrameworkEntry framework;
    ScheduledFuture<?> heartbeat;
    boolean closed;

    /** Where every frame written is recorded; guarded by itself. */
    private final List<RecordedFrame> frames;

    Subscription(
            String streamId, String contentType, LoopbackHttpServer.ChunkedStream stream, List<RecordedFrame> frames) {
        this.streamId = streamId;
        this.contentType = contentType;
        this.stream = stream;
        this.frames = frames;
    }

    void send(Event event) {
        outbox.add(event);
    }

    /** Stops the writer without ending the stream: its connection is gone. */
    void stop() {
        outbox.add(STOP);
    }

    /** Ends the stream once what is queued has been written. */
    void finish() {
        outbox.add(FINISH);
    }

    void startWriter() {
        MasterState.daemon(this::write, "stand-in-mesos-stream-" + streamId.substring(0, 8))
                .start();
    }

    private void write() {
        try {
            while (true) {
                Object next = outbox.take();
                if (next == FINISH) {
                    stream.finish();
                    return;
                }
                if (next == STOP) {
                    return;
                }
                Event event = (Event) next;
                byte[] data = contentType.equals(APPLICATION_JSON)
                        ? MasterJson.print(event).getBytes(StandardCharsets.UTF_8)
                        : event.toByteArray();
                byte[] prefix = (data.length + "\n").getBytes(StandardCharsets.US_ASCII);
                byte[] record = new byte[prefix.length + data.length];
                System.arraycopy(prefix, 0, record, 0, prefix.length);
                System.arraycopy(data, 0, record, prefix.length, data.length);
                stream.write(record);
                synchronized (frames) {
                    frames.add(new RecordedFrame(streamId, event.getType(), data, contentType));
                }
            }
        } catch (IOException e) {
            // The connection is gone; closing it runs the disconnection.
            stream.abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.abort();
        }
    }
}
