package emp.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One routed request, from the moment its app is known until its answer is written: takes a replica's slot from its
 * app's {@link AppQueue} (waiting in line for one when all are busy), borrows a connection to the replica, sends the
 * request, streams the answer back, retries on another replica when that is safe, and answers 502, 503 or 504 itself
 * when it cannot get an answer.
 *
 * <p>Every request routed to an app ends in {@link #finish}, which tells the gateway's {@link RequestListener}, when it
 * has one, of the request as the gateway's span: begun when the exchange is made, with the trace joined from the
 * request's headers, and passed on to every replica tried as their parent. All of it runs on the client connection's
 * event loop, which is also the loop of every replica connection it uses, so it needs no locks.
 *
 * <p>Retries follow {@link RetryPolicy}: a request never sent goes back to the line, an idempotent one that may
 * have been acted on is tried once more.
 *
 * <p>A request that waits in line and is not given a replica within its route's queue timeout, or finds the line
 * full, is answered 503 with {@code Retry-After}.
 */
final class ProxyExchange implements PlaceInLine.Request {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

    private final ClientHandler owner;
    private final ChannelHandlerContext client;
    private final FullHttpRequest request;
    private final RequestTarget target;
    private final AppQueue queue;
    private final ProxyContext context;
    private final HttpMethod method;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final long timeoutNanos;
    private final PlaceInLine line;
    /** What went wrong with each replica tried, for the 502's message; null until something did. */
    private ReplicaFailures failures;
    /** The gateway's span for this request, or null when the gateway records none. */
    private final ExchangeSpan span;

    private int attempts;
    private Backend backend;
    /** Whether it holds {@link #backend}'s slot in the queue. */
    private boolean counted;
    /** When the request was last sent to a replica, for its service time, and what the replica had besides. */
    private long sentNanos;

    private int alongside;

    private Channel backendChannel;
    private boolean reusedConnection;
    private boolean requestWritten;
    private boolean responseStarted;
    private boolean skippingInformational;
    private ProxyHeaders.Framing framing;
    private long lastActivityNanos;
    private boolean done;
    /** The status the client was sent, 0 until it is. */
    private int status;
    /** Why the request failed on the gateway's side, for its span; null while it has not. */
    private String error;

    /**
     * @param request the client's request, whose ownership passes to the exchange
     * @param route   the app's route now
     */
    ProxyExchange(
            ClientHandler owner,
            ChannelHandlerContext client,
            FullHttpRequest request,
            RequestTarget target,
            Route route,
            ProxyContext context) {
        this.owner = owner;
        this.client = client;
        this.request = request;
        this.target = target;
        this.queue = context.queue(target.user(), target.app(), route);
        this.context = context;
        this.line = new PlaceInLine(queue, client.channel().eventLoop(), this);
        this.method = request.method();
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.timeoutNanos = context.config().responseTimeout().toNanos();
        this.span = context.tracing() ? ExchangeSpan.begin(request.headers()) : null;
        ProxyHeaders.forBackends(
                request, target, owner.clientIp(), owner.gatewayAuthority(), span == null ? null : span.context);
    }

    void start() {
        line.take(false);
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public void go(Backend chosen, int others) {
        alongside = others;
        attempt(chosen, false);
    }

    /** The replica connection carried a message of the answer. */
    void onBackendMessage(Object msg) {
        if (done || backendChannel == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                failUnreadableAnswer(head.decoderResult().cause());
                return;
            }
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // An interim answer (100, 103) says nothing the client needs: the gateway already has the body.
                skippingInformational = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof FullHttpResponse full) {
                // HttpClientCodec sends head and body apart; should a whole message come, split it the same way.
                onResponseHead(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
                onResponseContent(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                return;
            }
            onResponseHead(head);
            return;
        }
        if (msg instanceof HttpContent content) {
            onResponseContent(content);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    /** The replica connection's read batch ended: send what it gave to the client in one flush. */
    void onBackendReadComplete() {
        client.flush();
    }

    /** The replica connection {@code channel} closed or failed ({@code cause}, or null for a plain close). */
    void onBackendClosed(Channel channel, Throwable cause) {
        if (done || channel != backendChannel) {
            return;
        }
        if (!responseStarted) {
            attemptFailed(
                    cause == null
                            ? "closed the connection before answering"
                            : "failed before answering (" + ReplicaFailures.describe(cause) + ")",
                    true);
        } else {
            abort("replica '" + backend.id() + "' closed the connection in the middle of its answer");
        }
    }

    /** The client's connection can take more (or no more) bytes now. */
    void onClientWritabilityChanged(boolean writable) {
        if (writable) {
            // A client reading slowly is progress too: the replica was paused for it, not stuck.
            lastActivityNanos = System.nanoTime();
        }
        if (backendChannel != null) {
            backendChannel.config().setAutoRead(writable);
        }
    }

    /** The client went away: the answer has nowhere to go, and the replica connection is mid-exchange. */
    void onClientClosed() {
        if (done) {
            return;
        }
        line.leave();
        dropBackendChannel(AppQueue.Outcome.ABANDONED);
        error = responseStarted
                ? "the client closed its connection during the answer"
                : "the client closed its connection before the answer";
        finish(client.newSucceededFuture(), true);
    }

    private void attempt(Backend chosen, boolean freshConnection) {
        backend = chosen;
        counted = true;
        attempts++;
        line.trying(chosen);
        reusedConnection = false;
        requestWritten = false;
        sentNanos = System.nanoTime();
        ConnectionPool pool = owner.pool();
        ChannelFuture connecting = freshConnection ? pool.connect(chosen.address()) : pool.acquire(chosen.address());
        if (connecting.isDone()) {
            onConnected(connecting);
        } else {
            connecting.addListener(future -> onConnected(connecting));
        }
    }

    private void onConnected(ChannelFuture connecting) {
        Channel channel = connecting.channel();
        if (done) {
            // The client left while the connection was being made; it is clean, so it may serve someone else.
            if (connecting.isSuccess()) {
                owner.pool().release(backend.address(), channel, ConnectionPool.keepNanos(-1));
            }
            return;
        }
        if (!connecting.isSuccess()) {
            attemptFailed("could not be reached (" + ReplicaFailures.describe(connecting.cause()) + ")", false);
            return;
        }
        BackendHandler handler = channel.pipeline().get(BackendHandler.class);
        reusedConnection = handler.reused();
        handler.attach(this);
        backendChannel = channel;
        channel.config().setAutoRead(client.channel().isWritable());
        FullHttpRequest outbound = ProxyHeaders.toBackend(request, target, context.authority(backend.address()));
        armTimer();
        channel.writeAndFlush(outbound).addListener(written -> {
            if (written.isSuccess() && channel == backendChannel) {
                requestWritten = true;
            }
            // A failed write closes the channel, and onBackendClosed takes it from there.
        });
    }

    private void onResponseHead(HttpResponse head) {
        responseStarted = true;
        status = head.status().code();
        lastActivityNanos = System.nanoTime();
        framing = ProxyHeaders.toClient(head, method, clientVersion, clientKeepAlive);
        // The last part's write carries the answer's future; a failure before it closes the connection all the same.
        client.write(head, client.voidPromise());
    }

    private void onResponseContent(HttpContent content) {
        if (skippingInformational) {
            skippingInformational = !(content instanceof LastHttpContent);
            content.release();
            return;
        }
        if (!responseStarted) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            abort("replica '" + backend.id() + "' sent an unreadable answer body ("
                    + ReplicaFailures.describe(content.decoderResult().cause()) + ")");
            return;
        }
        lastActivityNanos = System.nanoTime();
        if (content instanceof LastHttpContent last) {
            completeResponse(last);
        } else {
            client.write(content, client.voidPromise());
        }
    }

    private void completeResponse(LastHttpContent last) {
        Channel channel = backendChannel;
        detachBackendChannel();
        // Released before the client can see the end, so that its next request finds the replica's slot free again.
        uncount(AppQueue.Outcome.ANSWERED);
        if (framing.backendReusable() && requestWritten) {
            owner.pool().release(backend.address(), channel, ConnectionPool.keepNanos(framing.backendKeepAliveNanos()));
        } else {
            channel.close();
        }
        finish(client.writeAndFlush(last), framing.closeClient());
    }

    private void attemptFailed(String what, boolean maybeSent) {
        Backend failed = backend;
        boolean wasReused = reusedConnection;
        dropBackendChannel(AppQueue.Outcome.FAILED);
        if (failures == null) {
            failures = new ReplicaFailures();
        }
        failures.add(failed, what);
        switch (RetryPolicy.next(maybeSent, method, attempts, line.untried(), wasReused)) {
            case BACK_TO_LINE -> {
                logRetry(failed, what + "; back to the head of the line");
                line.take(true);
            }
            case ANOTHER_REPLICA -> {
                logRetry(failed, what + "; retrying on another replica");
                line.take(true);
            }
            case SAME_REPLICA_NEW_CONNECTION -> {
                logRetry(failed, what + " on a reused connection; retrying on a new one");
                alongside = queue.admitSame(failed);
                attempt(failed, true);
            }
            case GIVE_UP -> badGateway(RetryPolicy.whyNoMoreTries(method, attempts));
        }
    }

    /** Every replica tried failed, as {@link #failures} says. */
    private void badGateway(String advice) {
        answer(
                HttpResponseStatus.BAD_GATEWAY,
                "app '" + target.appName() + "' did not answer: " + failures + "; " + advice,
                failures.toString());
    }

    private void logRetry(Backend failed, String whatAndNext) {
        LOG.debug(
                "{} {} for app '{}': replica '{}' {}",
                method,
                target.backendUri(),
                target.appName(),
                failed.id(),
                whatAndNext);
    }

    @Override
    public void timedOut(long waitedNanos) {
        String waited = String.format(Locale.ROOT, "%.1f s", waitedNanos / 1e9);
        if (failures != null) {
            badGateway("no other replica was ready within " + waited + "; it may be restarting, try again shortly");
            return;
        }
        refused(new Admission.Refused(
                (queue.route().backends().isEmpty() ? "had no replica ready within " : "had every replica busy for ")
                        + waited
                        + ", its queue timeout; it is being scaled or restarted, retry later",
                "queue timeout",
                1));
    }

    @Override
    public void refused(Admission.Refused refusal) {
        status = HttpResponseStatus.SERVICE_UNAVAILABLE.code();
        error = refusal.why();
        queue.rejected();
        finish(
                client.writeAndFlush(PlainTextResponse.unavailable(
                        "app '" + target.appName() + "' " + refusal.reason(),
                        refusal.retryAfterSeconds(),
                        clientKeepAlive,
                        clientVersion)),
                !clientKeepAlive);
    }

    private void failUnreadableAnswer(Throwable cause) {
        failReplica(
                "replica '" + backend.id() + "' of app '" + target.appName()
                        + "' sent an answer that is not valid HTTP/1.1 (" + ReplicaFailures.describe(cause) + ")",
                "",
                HttpResponseStatus.BAD_GATEWAY,
                "; check what the app writes to its port");
    }

    /**
     * The replica failed the exchange ({@code what}): the client is answered {@code status} with {@code advice}, or,
     * when part of the replica's answer reached it already, its connection is closed.
     */
    private void failReplica(String what, String midAnswer, HttpResponseStatus answerStatus, String advice) {
        dropBackendChannel(AppQueue.Outcome.FAILED);
        if (responseStarted) {
            abort(what + midAnswer);
        } else {
            answer(answerStatus, what + advice, what);
        }
    }

    @Override
    public void wakeAt(long deadlineNanos) {
        owner.wakeAt(deadlineNanos);
    }

    private void armTimer() {
        lastActivityNanos = System.nanoTime();
        owner.wakeAt(lastActivityNanos + timeoutNanos);
    }

    /**
     * The client connection's timer fired at {@code now}: its place in line may have timed out, or its replica, which
     * it times out once it has been silent for the whole response timeout; activity since the timer was set pushes
     * the deadline on.
     */
    void onDeadline(long now) {
        if (done) {
            return;
        }
        line.onDeadline(now);
        if (done || backendChannel == null) {
            return;
        }
        long idle = now - lastActivityNanos;
        if (idle < timeoutNanos) {
            owner.wakeAt(lastActivityNanos + timeoutNanos);
            return;
        }
        failReplica(
                "replica '" + backend.id() + "' of app '" + target.appName() + "' did not answer within "
                        + ReplicaFailures.human(context.config().responseTimeout()),
                " in the middle of its answer",
                HttpResponseStatus.GATEWAY_TIMEOUT,
                "; it may be overloaded or stuck (its log may say why)");
    }

    /**
     * The gateway's own answer, before any of the replica's reached the client.
     *
     * @param why what went wrong, shorter than {@code message}, for the gateway's span
     */
    private void answer(HttpResponseStatus answerStatus, String message, String why) {
        status = answerStatus.code();
        error = why;
        queue.rejected();
        ChannelFuture written =
                client.writeAndFlush(PlainTextResponse.of(answerStatus, message, clientKeepAlive, clientVersion));
        finish(written, !clientKeepAlive);
    }

    /** Part of the replica's answer reached the client already, so the only way to tell it of a failure is to close. */
    private void abort(String why) {
        LOG.debug(
                "{} {} for app '{}': {}; closing the client connection",
                method,
                target.backendUri(),
                target.appName(),
                why);
        dropBackendChannel(AppQueue.Outcome.FAILED);
        error = why;
        finish(client.newSucceededFuture(), true);
    }

    /** The one place every routed request ends, answered or not. */
    private void finish(ChannelFuture lastWrite, boolean closeClient) {
        if (done) {
            return;
        }
        done = true;
        line.leave();
        uncount(AppQueue.Outcome.ABANDONED);
        request.release();
        if (span != null) {
            report();
        }
        owner.exchangeDone(this, lastWrite, closeClient);
    }

    private void report() {
        context.routed(span.end(target, method.name(), status, backend == null ? null : backend.id(), error));
    }

    /** Stops using the current replica connection and closes it, as it is in an unknown state; frees the slot. */
    private void dropBackendChannel(AppQueue.Outcome outcome) {
        Channel channel = backendChannel;
        if (channel != null) {
            detachBackendChannel();
            channel.close();
        }
        uncount(outcome);
    }

    private void detachBackendChannel() {
        BackendHandler handler = backendChannel.pipeline().get(BackendHandler.class);
        if (handler != null) {
            handler.detach();
        }
        backendChannel = null;
    }

    private void uncount(AppQueue.Outcome outcome) {
        if (counted) {
            counted = false;
            queue.release(backend, sentNanos, alongside, outcome);
        }
    }
}
