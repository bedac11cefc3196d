package emp.tracing.kafka;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.tracing.SpanSink;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The senders of the credentials the poll loop has verified lately, so that a stream of messages from the same few
 * apps costs one map lookup each instead of an HMAC (the host's {@link SpanSink#sender} computes one per call). Only
 * good credentials are kept, so a flood of wrong ones cannot fill it, and it is bounded: when full it is emptied and
 * fills again from the next messages, which is cheaper than keeping an eviction order on the hot path. A credential
 * stays good for as long as the platform's span key, which does not change while the server runs, so a cached answer
 * is never stale. Thread-safe: the decoding threads share it.
 */
final class SenderCache {
    /** More apps than one platform sends spans from at a time; a few hundred kilobytes at most. */
    static final int CAPACITY = 1024;

    private final SpanSink sink;
    private final Map<String, AppRef> verified = new ConcurrentHashMap<>();

    SenderCache(SpanSink sink) {
        this.sink = requireNonNull(sink, "sink is null");
    }

    /** The app {@code credential} was issued to; empty when it is null or none the platform issued. */
    Optional<AppRef> sender(String credential) {
        if (credential == null) {
            return Optional.empty();
        }
        AppRef known = verified.get(credential);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<AppRef> sender = sink.sender(credential);
        if (sender.isPresent()) {
            if (verified.size() >= CAPACITY) {
                verified.clear();
            }
            verified.put(credential, sender.get());
        }
        return sender;
    }

    /** How many credentials are cached now. */
    int size() {
        return verified.size();
    }
}
