package emp.testsupport.mesos;

import static emp.testsupport.mesos.SchedulerClient.WAIT;
import static emp.testsupport.mesos.SchedulerClient.commandTask;
import static emp.testsupport.mesos.SchedulerClient.framework;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads back, with mesos-java's own classes, every event frame the stand-in master streamed, in JSON and in protobuf,
 * and checks that each carries what the scheduler HTTP API documentation and {@code scheduler.proto} require.
 */
class RecordedFramesTest {
    private static final Set<Event.Type> EVERY_TYPE = EnumSet.of(
            Event.Type.SUBSCRIBED,
            Event.Type.HEARTBEAT,
            Event.Type.OFFERS,
            Event.Type.RESCIND,
            Event.Type.UPDATE,
            Event.Type.FAILURE,
            Event.Type.ERROR);

    @TempDir
    Path workDir;

    @Test
    void jsonFramesDecodeWithTheProtoFieldNamesAndCarryTheRequiredFields() throws Exception {
        List<RecordedFrame> frames = scenario(SchedulerClient::json, "application/json");

        for (RecordedFrame frame : frames) {
            String json = new String(frame.data(), StandardCharsets.UTF_8);
            Event.Builder event = Event.newBuilder();
            // The strict parser: a field name that is not the proto's fails here.
            JsonFormat.parser().merge(json, event);
            assertThat(event.isInitialized())
                    .as("%s lacks required fields %s", json, event.findInitializationErrors())
                    .isTrue();
            assertThat(event.getType()).isEqualTo(frame.type());
            JsonObject object = JsonParser.parseString(json).getAsJsonObject();
            assertThat(object.get("type").getAsString()).isEqualTo(frame.type().name());
            if (frame.type() == Event.Type.OFFERS) {
                // The master writes 64-bit integers (range bounds here) as JSON numbers, not strings.
                JsonObject ports = object.getAsJsonObject("offers")
                        .getAsJsonArray("offers")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonArray("resources")
                        .get(2)
                        .getAsJsonObject();
                assertThat(ports.get("name").getAsString()).isEqualTo("ports");
                assertThat(ports.getAsJsonObject("ranges")
                                .getAsJsonArray("range")
                                .get(0)
                                .getAsJsonObject()
                                .get("begin")
                                .getAsJsonPrimitive()
                                .isNumber())
                        .isTrue();
            }
            if (frame.type() == Event.Type.SUBSCRIBED) {
                assertThat(object.getAsJsonObject("subscribed").has("framework_id"))
                        .isTrue();
                assertThat(object.getAsJsonObject("subscribed").has("heartbeat_interval_seconds"))
                        .isTrue();
            }
            assertDocumentedFields(event.build());
        }
    }

    @Test
    void protobufFramesDecodeAndCarryTheRequiredFields() throws Exception {
        List<RecordedFrame> frames = scenario(SchedulerClient::protobuf, "application/x-protobuf");

        for (RecordedFrame frame : frames) {
            // parseFrom fails on a missing required field.
            Event event = Event.parseFrom(frame.data());
            assertThat(event.getType()).isEqualTo(frame.type());
            assertThat(frame.decode()).isEqualTo(event);
            assertDocumentedFields(event);
        }
    }

    @Test
    void eachEventIsOneChunkHoldingOneRecord() throws Exception {
        try (StandInMaster master = StandInMaster.builder(workDir)
                        .agent("agent-1", 1, 256, 31000, 31000)
                        .heartbeatInterval(Duration.ofSeconds(30))
                        .start();
                Socket socket = new Socket("127.0.0.1", master.uri().getPort())) {
            byte[] body = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}"
                    .getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Accept: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();

            String head = readHead(in);
            byte[] firstChunk = readChunk(in);
            byte[] secondChunk = readChunk(in);

            assertThat(head).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("Transfer-Encoding: chunked");
            await().atMost(WAIT).until(() -> master.frames().size() >= 2);
            List<RecordedFrame> frames = master.frames();
            assertThat(frames.get(0).type()).isEqualTo(Event.Type.SUBSCRIBED);
            assertThat(firstChunk).isEqualTo(frames.get(0).record());
            assertThat(frames.get(1).type()).isEqualTo(Event.Type.HEARTBEAT);
            assertThat(secondChunk).isEqualTo(frames.get(1).record());
            assertThat(new String(firstChunk, StandardCharsets.UTF_8))
                    .startsWith(frames.get(0).data().length + "\n{\"type\":\"SUBSCRIBED\"");
        }
    }

    /**
     * One framework sees every event type: SUBSCRIBED, HEARTBEAT, OFFERS, an UPDATE, a RESCIND, the loss of its
     * agent (UPDATE and FAILURE) and, when a second scheduler takes its id over, ERROR. Returns the first stream's
     * frames, after checking that they are what its client read, byte for byte.
     */
    private List<RecordedFrame> scenario(Function<java.net.URI, SchedulerClient> connect, String contentType) {
        try (StandInMaster master = StandInMaster.builder(workDir)
                .agent("agent-1", 2, 1024, 31000, 31009)
                .heartbeatInterval(Duration.ofMillis(200))
                .statusRetryInterval(Duration.ofSeconds(30))
                .allocationInterval(Duration.ofMillis(50))
                .start()) {
            SchedulerClient first = connect.apply(master.uri());
            SchedulerClient second = connect.apply(master.uri());
            try {
                first.subscribe(framework("frames").setFailoverTimeout(60).build());
                Offer offer = first.nextOffer(null);
                first.accept(
                        offer.getId(),
                        Filters.newBuilder().setRefuseSeconds(0).build(),
                        commandTask("framed", offer.getAgentId(), "sleep 30", 0.5, 64));
                first.awaitUpdate("framed", TaskState.TASK_STARTING);
                first.nextOffer(null);
                master.rescindOffers();
                first.await(Event.Type.RESCIND, event -> true);
                master.loseAgent("agent-1");
                first.awaitUpdate("framed", TaskState.TASK_LOST);
                first.await(Event.Type.FAILURE, event -> true);
                second.subscribe(framework("frames").setId(first.frameworkId()).build());
                first.await(Event.Type.ERROR, event -> true);
                await().atMost(WAIT).until(first::ended);

                List<RecordedFrame> frames = master.frames().stream()
                        .filter(frame -> frame.streamId().equals(first.streamId()))
                        .toList();
                assertThat(frames).extracting(RecordedFrame::type).containsAll(EVERY_TYPE);
                assertThat(frames)
                        .allSatisfy(frame -> assertThat(frame.contentType()).isEqualTo(contentType));
                ByteArrayOutputStream records = new ByteArrayOutputStream();
                for (RecordedFrame frame : frames) {
                    byte[] record = frame.record();
                    assertThat(new String(record, StandardCharsets.US_ASCII)).startsWith(frame.data().length + "\n");
                    records.writeBytes(record);
                }
                assertThat(first.raw()).isEqualTo(records.toByteArray());
                return frames;
            } finally {
                first.close();
                second.close();
            }
        }
    }

    /** The fields the scheduler HTTP API documentation shows for each event, beyond the proto's required ones. */
    private static void assertDocumentedFields(Event event) {
        switch (event.getType()) {
            case SUBSCRIBED -> {
                Event.Subscribed subscribed = event.getSubscribed();
                assertThat(subscribed.getFrameworkId().getValue()).isNotEmpty();
                assertThat(subscribed.getHeartbeatIntervalSeconds()).isPositive();
                assertThat(subscribed.getMasterInfo().getId()).isNotEmpty();
                assertThat(subscribed.getMasterInfo().getIp()).isEqualTo(16777343);
                assertThat(subscribed.getMasterInfo().getPort()).isPositive();
                assertThat(subscribed.getMasterInfo().getHostname()).isEqualTo("127.0.0.1");
                assertThat(subscribed.getMasterInfo().getVersion()).isEqualTo("1.11.0");
            }
            case HEARTBEAT ->
                assertThat(event)
                        .isEqualTo(
                                Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
            case OFFERS -> {
                assertThat(event.getOffers().getOffersList()).isNotEmpty();
                for (Offer offer : event.getOffers().getOffersList()) {
                    assertThat(offer.getId().getValue()).isNotEmpty();
                    assertThat(offer.getFrameworkId().getValue()).isNotEmpty();
                    assertThat(offer.getAgentId().getValue()).isEqualTo("agent-1");
                    assertThat(offer.getHostname()).isEqualTo("127.0.0.1");
                    assertThat(offer.getUrl().getAddress().getPort()).isPositive();
                    assertThat(offer.getResourcesList()).isNotEmpty().allSatisfy(RecordedFramesTest::assertResource);
                }
            }
            case RESCIND ->
                assertThat(event.getRescind().getOfferId().getValue()).isNotEmpty();
            case UPDATE -> {
                TaskStatus status = event.getUpdate().getStatus();
                assertThat(status.getTaskId().getValue()).isEqualTo("framed");
                assertThat(status.hasState()).isTrue();
                assertThat(status.hasSource()).isTrue();
                assertThat(status.getAgentId().getValue()).isEqualTo("agent-1");
                assertThat(status.getTimestamp()).isPositive();
                if (status.getSource() == TaskStatus.Source.SOURCE_MASTER) {
                    assertThat(status.hasUuid()).isFalse();
                    assertThat(status.hasReason()).isTrue();
                    assertThat(status.getMessage()).isNotEmpty();
                } else {
                    assertThat(status.getUuid().size()).isEqualTo(16);
                    assertThat(status.getExecutorId().getValue()).isEqualTo("framed");
                }
            }
            case FAILURE ->
                assertThat(event.getFailure().getAgentId().getValue()).isEqualTo("agent-1");
            case ERROR -> assertThat(event.getError().getMessage()).isEqualTo("Framework failed over");
            default -> throw new AssertionError("unexpected event " + event);
        }
    }

    private static void assertResource(Resource resource) {
        assertThat(resource.getName()).isIn("cpus", "mem", "ports");
        assertThat(resource.getAllocationInfo().getRole()).isEqualTo("*");
        if (resource.getType() == Value.Type.SCALAR) {
            assertThat(resource.getScalar().getValue()).isPositive();
        } else {
            assertThat(resource.getType()).isEqualTo(Value.Type.RANGES);
            assertThat(resource.getRanges().getRangeList()).isNotEmpty();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream in the response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static byte[] readChunk(InputStream in) throws IOException {
        StringBuilder size = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("end of stream in a chunk size");
            }
            if (b != '\r') {
                size.append((char) b);
            }
        }
        byte[] chunk = in.readNBytes(Integer.parseInt(size.toString(), 16));
        assertThat(in.readNBytes(2)).isEqualTo("\r\n".getBytes(StandardCharsets.US_ASCII));
        return chunk;
    }
}
