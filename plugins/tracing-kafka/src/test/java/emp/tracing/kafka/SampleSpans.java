package emp.tracing.kafka;

import emp.spi.AppRef;
import java.util.List;
import java.util.Map;
import zipkin2.Endpoint;
import zipkin2.Span;

/** A small trace with every field EMP reads: a front door calling a back end that joins its client's span. */
final class SampleSpans {
    static final long NOW_MICROS = 1_700_000_000_000_000L;
    static final AppRef FRONT = new AppRef("alice", "front");
    static final AppRef BACK = new AppRef("alice", "back");
    /** Stand-ins for the host's credentials: {@link CollectingSink} knows these two and no other. */
    static final String FRONT_TOKEN = "credential-of-alice-front";

    static final String BACK_TOKEN = "credential-of-alice-back";
    static final Map<String, AppRef> CREDENTIALS = Map.of(FRONT_TOKEN, FRONT, BACK_TOKEN, BACK);

    private SampleSpans() {}

    /** Three spans of trace {@code traceId}: a root SERVER span, its CLIENT child, and the callee's shared SERVER. */
    static List<Span> trace(String traceId) {
        Endpoint front = Endpoint.newBuilder().serviceName("alice/front").build();
        Endpoint back = Endpoint.newBuilder().serviceName("alice/back").build();
        Span root = Span.newBuilder()
                .traceId(traceId)
                .id("a000000000000001")
                .name("get /songs")
                .kind(Span.Kind.SERVER)
                .localEndpoint(front)
                .timestamp(NOW_MICROS)
                .duration(9_000)
                .putTag("http.path", "/songs")
                .build();
        Span client = Span.newBuilder()
                .traceId(traceId)
                .parentId("a000000000000001")
                .id("a000000000000002")
                .name("get /users")
                .kind(Span.Kind.CLIENT)
                .localEndpoint(front)
                .remoteEndpoint(back)
                .timestamp(NOW_MICROS + 1_000)
                .duration(6_000)
                .putTag("error", "503")
                .build();
        Span server = Span.newBuilder()
                .traceId(traceId)
                .parentId("a000000000000001")
                .id("a000000000000002")
                .name("get /users")
                .kind(Span.Kind.SERVER)
                .shared(true)
                .localEndpoint(back)
                .timestamp(NOW_MICROS + 1_500)
                .duration(5_000)
                .build();
        return List.of(root, client, server);
    }

    /** The spans of {@code trace} whose local service is {@code app}: what that app sends in one message. */
    static List<Span> of(AppRef app, List<Span> trace) {
        return trace.stream()
                .filter(span -> app.toString().equals(span.localServiceName()))
                .toList();
    }
}
