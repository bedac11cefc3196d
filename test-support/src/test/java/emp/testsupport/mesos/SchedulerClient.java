package emp.testsupport.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.awaitility.Awaitility;

/**
 * A scheduler as a framework writes one against the v1 HTTP API, with the JDK's HTTP client: a SUBSCRIBE whose
 * RecordIO stream a thread reads into {@link #events()}, and calls on other connections with the stream id.
 */
final class SchedulerClient implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final Duration WAIT = Duration.ofSeconds(15);

    private final URI endpoint;
    private final String contentType;
    private final String accept;
    private final String authorization;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final Set<String> usedOffers = new HashSet<>();
    private volatile boolean ended;
    private volatile InputStream body;
    private String streamId;
    private FrameworkID frameworkId;
    private HttpResponse<InputStream> subscribeResponse;

    private SchedulerClient(URI master, String contentType, String accept, String authorization) {
        this.endpoint = master.resolve("/api/v1/scheduler");
        this.contentType = contentType;
        this.accept = accept;
        this.authorization = authorization;
    }

    static SchedulerClient json(URI master) {
        return new SchedulerClient(master, "application/json", "application/json", null);
    }

    static SchedulerClient protobuf(URI master) {
        return new SchedulerClient(master, "application/x-protobuf", "application/x-protobuf", null);
    }

    static SchedulerClient authenticated(URI master, String principal, String secret) {
        String token = java.util.Base64.getEncoder()
                .encodeToString((principal + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return new SchedulerClient(master, "application/json", "application/json", "Basic " + token);
    }

    static FrameworkInfo.Builder framework(String name) {
        return FrameworkInfo.newBuilder().setUser("emp").setName(name);
    }

    static FrameworkInfo.Capability capability(FrameworkInfo.Capability.Type type) {
        return FrameworkInfo.Capability.newBuilder().setType(type).build();
    }

    /** Subscribes; on 200 starts reading the stream and waits for SUBSCRIBED. */
    HttpResponse<InputStream> subscribe(FrameworkInfo info) {
        Call.Builder call = Call.newBuilder()
                .setType(Call.Type.SUBSCRIBE)
                .setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(info));
        if (info.hasId()) {
            call.setFrameworkId(info.getId());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .header("Content-Type", contentType)
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(encode(call.build())));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            subscribeResponse = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (subscribeResponse.statusCode() == 200) {
            streamId = subscribeResponse.headers().firstValue("Mesos-Stream-Id").orElse(null);
            body = subscribeResponse.body();
            Thread reader = new Thread(this::readStream, "test-scheduler-stream");
            reader.setDaemon(true);
            reader.start();
            // A refused subscription is answered 200 too, with an ERROR event instead of SUBSCRIBED.
            Event first = Awaitility.await()
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> events.isEmpty() ? null : events.get(0), event -> event != null);
            if (first.getType() == Event.Type.SUBSCRIBED) {
                frameworkId = first.getSubscribed().getFrameworkId();
            }
        }
        return subscribeResponse;
    }

    private void readStream() {
        try (InputStream in = body) {
            while (true) {
                StringBuilder length = new StringBuilder();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    length.append((char) b);
                    synchronized (raw) {
                        raw.write(b);
                    }
                }
                if (b < 0) {
                    return;
                }
                synchronized (raw) {
                    raw.write('\n');
                }
                byte[] data = in.readNBytes(Integer.parseInt(length.toString()));
                synchronized (raw) {
                    raw.write(data);
                }
                events.add(decode(data));
            }
        } catch (IOException e) {
            // The stream was closed, by either end.
        } finally {
            ended = true;
        }
    }

    private Event decode(byte[] data) throws InvalidProtocolBufferException {
        if (accept.equals("application/x-protobuf")) {
            return Event.parseFrom(data);
        }
        Event.Builder event = Event.newBuilder();
        JsonFormat.parser().merge(new String(data, StandardCharsets.UTF_8), event);
        return event.build();
    }

    byte[] encode(Call call) {
        if (contentType.equals("application/x-protobuf")) {
            return call.toByteArray();
        }
        try {
            return JsonFormat.printer().preservingProtoFieldNames().print(call).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A call of this framework on a connection of its own, with the stream id. */
    HttpResponse<String> call(Call.Builder call) {
        call.setFrameworkId(frameworkId);
        return post(encode(call.build()), Map.of("Content-Type", contentType, "Mesos-Stream-Id", streamId));
    }

    HttpResponse<String> post(byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        if (authorization != null && !headers.containsKey("Authorization")) {
            request.header("Authorization", authorization);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<Event> events(Event.Type type) {
        return events.stream().filter(event -> event.getType() == type).toList();
    }

    Event await(Event.Type type, Predicate<Event> matching) {
        return Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () -> events.stream()
                                .filter(event -> event.getType() == type && matching.test(event))
                                .findFirst(),
                        Optional::isPresent)
                .get();
    }

    /** The first update of the task in {@code state}, waiting for it. */
    TaskStatus awaitUpdate(String taskId, TaskState state) {
        return await(
                        Event.Type.UPDATE,
                        event -> event.getUpdate()
                                        .getStatus()
                                        .getTaskId()
                                        .getValue()
                                        .equals(taskId)
                                && event.getUpdate().getStatus().getState() == state)
                .getUpdate()
                .getStatus();
    }

    List<TaskStatus> updates(String taskId) {
        return events(Event.Type.UPDATE).stream()
                .map(event -> event.getUpdate().getStatus())
                .filter(status -> status.getTaskId().getValue().equals(taskId))
                .toList();
    }

    void acknowledge(TaskStatus status) {
        HttpResponse<String> response = call(Call.newBuilder()
                .setType(Call.Type.ACKNOWLEDGE)
                .setAcknowledge(Call.Acknowledge.newBuilder()
                        .setAgentId(status.getAgentId())
                        .setTaskId(status.getTaskId())
                        .setUuid(status.getUuid())));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    /** Waits for the update of the task in {@code state}, acknowledging every update of the task until then. */
    TaskStatus awaitAcknowledging(String taskId, TaskState state) {
        Set<String> acknowledged = new HashSet<>();
        return Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () -> {
                            for (TaskStatus status : updates(taskId)) {
                                if (status.hasUuid()
                                        && acknowledged.add(status.getUuid().toStringUtf8())) {
                                    acknowledge(status);
                                }
                                if (status.getState() == state) {
                                    return Optional.of(status);
                                }
                            }
                            return Optional.<TaskStatus>empty();
                        },
                        Optional::isPresent)
                .get();
    }

    /** An offer not used yet and not rescinded, waiting for one (for an agent, if given). */
    Offer nextOffer(String agentId) {
        Offer offer = Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () -> {
                            Set<String> rescinded = new HashSet<>();
                            for (Event event : events(Event.Type.RESCIND)) {
                                rescinded.add(event.getRescind().getOfferId().getValue());
                            }
                            for (Event event : events(Event.Type.OFFERS)) {
                                for (Offer candidate : event.getOffers().getOffersList()) {
                                    String id = candidate.getId().getValue();
                                    if (!usedOffers.contains(id)
                                            && !rescinded.contains(id)
                                            && (agentId == null
                                                    || candidate
                                                            .getAgentId()
                                                            .getValue()
                                                            .equals(agentId))) {
                                        return Optional.of(candidate);
                                    }
                                }
                            }
                            return Optional.<Offer>empty();
                        },
                        Optional::isPresent)
                .get();
        usedOffers.add(offer.getId().getValue());
        return offer;
    }

    HttpResponse<String> accept(OfferID offer, TaskInfo... tasks) {
        return accept(offer, null, tasks);
    }

    HttpResponse<String> accept(OfferID offer, org.apache.mesos.v1.Protos.Filters filters, TaskInfo... tasks) {
        Call.Accept.Builder accept = Call.Accept.newBuilder().addOfferIds(offer);
        if (filters != null) {
            accept.setFilters(filters);
        }
        accept.addOperations(org.apache.mesos.v1.Protos.Offer.Operation.newBuilder()
                .setType(org.apache.mesos.v1.Protos.Offer.Operation.Type.LAUNCH)
                .setLaunch(org.apache.mesos.v1.Protos.Offer.Operation.Launch.newBuilder()
                        .addAllTaskInfos(List.of(tasks))));
        return call(Call.newBuilder().setType(Call.Type.ACCEPT).setAccept(accept));
    }

    /** Launches a shell command task on the next offer and returns its id. */
    String launch(String taskId, String shellCommand) {
        Offer offer = nextOffer(null);
        HttpResponse<String> response =
                accept(offer.getId(), commandTask(taskId, offer.getAgentId(), shellCommand, 0.1, 32));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return taskId;
    }

    static TaskInfo commandTask(String taskId, AgentID agent, String shellCommand, double cpus, double mem) {
        return TaskInfo.newBuilder()
                .setName(taskId)
                .setTaskId(TaskID.newBuilder().setValue(taskId))
                .setAgentId(agent)
                .setCommand(CommandInfo.newBuilder().setValue(shellCommand))
                .addResources(scalar("cpus", cpus))
                .addResources(scalar("mem", mem))
                .build();
    }

    static Resource scalar(String name, double value) {
        return Resource.newBuilder()
                .setName(name)
                .setType(Value.Type.SCALAR)
                .setScalar(Value.Scalar.newBuilder().setValue(value))
                .build();
    }

    static Resource ports(long begin, long end) {
        return Resource.newBuilder()
                .setName("ports")
                .setType(Value.Type.RANGES)
                .setRanges(Value.Ranges.newBuilder()
                        .addRange(Value.Range.newBuilder().setBegin(begin).setEnd(end)))
                .build();
    }

    HttpResponse<InputStream> subscribeResponse() {
        return subscribeResponse;
    }

    String streamId() {
        return streamId;
    }

    FrameworkID frameworkId() {
        return frameworkId;
    }

    boolean ended() {
        return ended;
    }

    byte[] raw() {
        synchronized (raw) {
            return raw.toByteArray();
        }
    }

    List<String> offerIds() {
        List<String> ids = new ArrayList<>();
        for (Event event : events(Event.Type.OFFERS)) {
            event.getOffers()
                    .getOffersList()
                    .forEach(offer -> ids.add(offer.getId().getValue()));
        }
        return ids;
    }

    @Override
    public void close() {
        InputStream stream = body;
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // Closing is all that was wanted.
            }
        }
    }
}
