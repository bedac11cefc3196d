package emp.testsupport.mesos;

import static emp.testsupport.mesos.StandInMaster.APPLICATION_JSON;
import static emp.testsupport.mesos.StandInMaster.APPLICATION_PROTOBUF;
import static emp.testsupport.mesos.StandInMaster.REALM;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UninitializedMessageException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's HTTP endpoint, {@code POST /api/v1/scheduler}: authentication, content types and their negotiation,
 * parsing and validating calls with the master's status codes and messages, the checks of the framework and its stream
 * id, and handing each call to the part of the master that handles it.
 */
final class SchedulerEndpoint {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final Gson GSON = new Gson();

    private final MasterState master;
    // The credential every call must carry (HTTP basic authentication); none if principal is null.
    private final String principal;
    private final String secret;
    private final FrameworkSubscriptions frameworkSubscriptions;
    private final Allocator allocator;
    private final OfferOperations offerOperations;
    private final TaskCalls taskCalls;
    private final Reconciliation reconciliation;

    SchedulerEndpoint(
            MasterState master,
            String principal,
            String secret,
            FrameworkSubscriptions frameworkSubscriptions,
            Allocator allocator,
            OfferOperations offerOperations,
            TaskCalls taskCalls,
            Reconciliation reconciliation) {
        this.master = master;
        this.principal = principal;
        this.secret = secret;
        this.frameworkSubscriptions = frameworkSubscriptions;
        this.allocator = allocator;
        this.offerOperations = offerOperations;
        this.taskCalls = taskCalls;
        this.reconciliation = reconciliation;
    }

    void handle(LoopbackHttpServer.Request request, LoopbackHttpServer.Exchange exchange) throws IOException {
        switch (request.path()) {
            case "/api/v1/scheduler", "/master/api/v1/scheduler" -> handleScheduler(request, exchange);
            default -> exchange.respond(404, Map.of(), new byte[0]);
        }
    }

    /** The answer to a call other than SUBSCRIBE: a status and a plain text body, if any. */
    record Reply(int status, String body) {
        static Reply accepted() {
            return new Reply(202, "");
        }
    }

    private void handleScheduler(LoopbackHttpServer.Request request, LoopbackHttpServer.Exchange exchange)
            throws IOException {
        Optional<String> authenticated = Optional.empty();
        if (principal != null) {
            if (!authorized(request)) {
                exchange.respond(401, Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\""), new byte[0]);
                return;
            }
            authenticated = Optional.of(principal);
        }
        if (!request.method().equals("POST")) {
            exchange.respond(
                    405,
                    Map.of("Allow", "POST", "Content-Type", "text/plain; charset=utf-8"),
                    ("Expecting one of { 'POST' }, but received '" + request.method() + "'")
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        Optional<String> contentType = request.header("Content-Type");
        if (contentType.isEmpty()) {
            exchange.respondText(400, "Expecting 'Content-Type' to be present");
            return;
        }
        Call call;
        // The master compares the media type exactly: parameters such as a charset make it unsupported.
        if (contentType.get().equals(APPLICATION_PROTOBUF)) {
            try {
                call = Call.parseFrom(request.body());
            } catch (InvalidProtocolBufferException e) {
                exchange.respondText(400, "Failed to parse body into Call protobuf");
                return;
            }
        } else if (contentType.get().equals(APPLICATION_JSON)) {
            String json = new String(request.body(), StandardCharsets.UTF_8);
            Optional<String> syntaxError = jsonSyntaxError(json);
            if (syntaxError.isPresent()) {
                exchange.respondText(400, "Failed to parse body into JSON: " + syntaxError.get());
                return;
            }
            Call.Builder builder = Call.newBuilder();
            try {
                JSON_PARSER.merge(json, builder);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                exchange.respondText(400, "Failed to convert JSON into Call protobuf: " + conversionError(e));
                return;
            }
            if (!builder.isInitialized()) {
                exchange.respondText(
                        400,
                        "Failed to convert JSON into Call protobuf: Missing required fields: "
                                + String.join(", ", builder.findInitializationErrors()));
                return;
            }
            call = builder.build();
        } else {
            exchange.respondText(
                    415, "Expecting 'Content-Type' of " + APPLICATION_JSON + " or " + APPLICATION_PROTOBUF);
            return;
        }
        synchronized (master.lock) {
            master.calls.add(call);
        }
        Optional<String> invalid = MasterValidation.validate(call, authenticated);
        if (invalid.isPresent()) {
            exchange.respondText(400, "Failed to validate scheduler::Call: " + invalid.get());
            return;
        }
        String acceptType = null;
        if (call.getType() == Call.Type.SUBSCRIBE || call.getType() == Call.Type.RECONCILE_OPERATIONS) {
            acceptType = negotiate(request.header("Accept"));
            if (acceptType == null) {
                exchange.respondText(
                        406,
                        "Expecting 'Accept' to allow '" + APPLICATION_PROTOBUF + "' or '" + APPLICATION_JSON + "'");
                return;
            }
        }
        if (call.getType() == Call.Type.SUBSCRIBE) {
            if (request.header("Mesos-Stream-Id").isPresent()) {
                exchange.respondText(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
                return;
            }
            frameworkSubscriptions.subscribe(call.getSubscribe(), authenticated, acceptType, exchange);
            return;
        }
        Reply reply;
        synchronized (master.lock) {
            reply = handleCall(call, authenticated, request.header("Mesos-Stream-Id"));
        }
        if (reply.body().isEmpty()) {
            exchange.respond(reply.status(), Map.of(), new byte[0]);
        } else {
            exchange.respondText(reply.status(), reply.body());
        }
    }

    private boolean authorized(LoopbackHttpServer.Request request) {
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            String decoded = new String(
                    Base64.getDecoder().decode(header.get().substring(6).trim()), StandardCharsets.UTF_8);
            return decoded.equals(principal + ":" + secret);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Why JSON did not convert into a Call. JsonFormat builds nested messages as it goes and so stops at the first
     * one missing a required field; the master names the fields the same way, though with their whole path.
     */
    private static String conversionError(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UninitializedMessageException missing) {
                return "Missing required fields: " + String.join(", ", missing.getMissingFields());
            }
        }
        return String.valueOf(e.getMessage());
    }

    /** Why {@code json} is not JSON, the way a strict parser sees it, if it is not. */
    private static Optional<String> jsonSyntaxError(String json) {
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setLenient(false);
            JsonElement element = GSON.getAdapter(JsonElement.class).read(reader);
            if (element == null || reader.peek() != JsonToken.END_DOCUMENT) {
                return Optional.of("Unexpected trailing characters after the JSON value");
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /** The media type of the response to an {@code Accept} header: JSON unless only protobuf is acceptable. */
    static String negotiate(Optional<String> accept) {
        if (accept.isEmpty() || accept.get().isBlank()) {
            return APPLICATION_JSON;
        }
        if (accepts(accept.get(), APPLICATION_JSON)) {
            return APPLICATION_JSON;
        }
        if (accepts(accept.get(), APPLICATION_PROTOBUF)) {
            return APPLICATION_PROTOBUF;
        }
        return null;
    }

    /** Whether the most specific media range of {@code accept} that matches {@code mediaType} has a q above zero. */
    private static boolean accepts(String accept, String mediaType) {
        String type = mediaType.substring(0, mediaType.indexOf('/'));
        int bestSpecificity = -1;
        double bestQuality = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.trim().split(";");
            String candidate = parts[0].trim().toLowerCase(Locale.ROOT);
            double quality = 1;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim();
                if (parameter.startsWith("q=")) {
                    try {
                        quality = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        quality = 0;
                    }
                }
            }
            int specificity;
            if (candidate.equals(mediaType)) {
                specificity = 2;
            } else if (candidate.equals(type + "/*")) {
                specificity = 1;
            } else if (candidate.equals("*/*")) {
                specificity = 0;
            } else {
                continue;
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                bestQuality = quality;
            }
        }
        return bestSpecificity >= 0 && bestQuality > 0;
    }

    /** A non-SUBSCRIBE call, with the master's checks of the framework and the stream id first. */
    private Reply handleCall(Call call, Optional<String> authenticated, Optional<String> streamId) {
        FrameworkEntry framework = master.frameworks.get(call.getFrameworkId().getValue());
        if (framework == null) {
            return new Reply(400, "Framework cannot be found");
        }
        if (authenticated.isPresent() && !authenticated.get().equals(framework.info.getPrincipal())) {
            return new Reply(
                    400,
                    "Authenticated principal '" + authenticated.get() + "' does not match principal '"
                            + framework.info.getPrincipal() + "' set in `FrameworkInfo`");
        }
        if (framework.subscription == null) {
            return new Reply(403, "Framework is not subscribed");
        }
        if (streamId.isEmpty()) {
            return new Reply(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
        }
        if (!streamId.get().equals(framework.subscription.streamId)) {
            return new Reply(
                    400,
                    "The stream ID '" + streamId.get() + "' included in this request didn't match the stream ID"
                            + " currently associated with framework ID " + framework.id);
        }
        switch (call.getType()) {
            case TEARDOWN -> frameworkSubscriptions.removeFramework(framework, "the framework tore itself down");
            case ACCEPT -> offerOperations.accept(framework, call.getAccept());
            case DECLINE -> allocator.decline(framework, call.getDecline());
            case REVIVE -> allocator.revive(framework, call.getRevive().getRolesList());
            case SUPPRESS -> allocator.suppress(framework, call.getSuppress().getRolesList());
            case KILL -> taskCalls.kill(framework, call.getKill());
            case SHUTDOWN -> taskCalls.shutdownExecutor(framework, call.getShutdown());
            case ACKNOWLEDGE -> taskCalls.acknowledge(framework, call.getAcknowledge());
            case RECONCILE -> reconciliation.reconcile(framework, call.getReconcile());
            case RECONCILE_OPERATIONS -> reconciliation.reconcileOperations(framework, call.getReconcileOperations());
            case UPDATE_FRAMEWORK -> {
                return frameworkSubscriptions.updateFramework(framework, call.getUpdateFramework());
            }
            case UNKNOWN -> {
                log.warn("received an UNKNOWN call from framework '{}'", framework.id);
                return new Reply(501, "");
            }
            default ->
                log.info(
                        "{} call from framework '{}' accepted and ignored, as the built-in allocator and command"
                                + " executor do",
                        call.getType(),
                        framework.id);
        }
        return Reply.accepted();
    }
}
