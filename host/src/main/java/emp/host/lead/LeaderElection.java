package emp.host.lead;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through the shared store: a lease entry the leader renews every third of its time to live, and a
 * term entry whose version is the fencing token.
 *
 * <p>A server takes the lead when there is no lease, when the lease is its own (it restarted), or when another
 * server's lease has not changed for a whole time to live as this server's own monotonic clock measures it: the
 * leader died, or lost the store. Taking the lead is one commit that replaces the lease it saw (compare-and-set, so
 * of two servers trying at once one wins) and bumps the term. The leader's own writes carry a check of its term
 * ({@link #fence()}), so that once another server has taken over, whatever the old leader still writes is refused.
 * A leader that cannot renew for a time to live (the store is away) stops leading by itself, since another server may
 * have taken over meanwhile; it leads again when it renews its lease, with a new term.
 *
 * <p>{@link #close()} gives the lease up, so that another server takes over at once rather than after a time to live.
 */
public final class LeaderElection implements Leadership, AutoCloseable {
    static final String LEASES = "leases";
    static final String LEADER = "leader";
    static final String TERM = "term";

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final StateStore store;
    private final String serverId;
    private final String api;
    private final long ttlNanos;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Runnable onElected;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-leader-election");
        thread.setDaemon(true);
        return thread;
    });

    /** The term this server leads in; 0 when it does not lead. */
    private volatile long term;

    private long renewedAtNanos;
    /** Another server's lease as last seen, and when (this server's clock) its version was first seen. */
    private long seenVersion = -1;

    private long seenAtNanos;
    private volatile Optional<Lease> lastSeen = Optional.empty();
    private String lastProblem;

    /**
     * @param serverId  this server's id: stable across its restarts (so that it takes its own lease back at once),
     *                  distinct from every other server's
     * @param api       this server's control API, shown to people as the leader's address
     * @param ttl       how long a lease lives without renewal before another server may take the lead
     * @param onElected called on the election's thread when this server starts to lead
     */
    public LeaderElection(
            StateStore store,
            String serverId,
            String api,
            Duration ttl,
            Clock clock,
            LongSupplier nanoTime,
            Runnable onElected) {
        this.store = requireNonNull(store, "store is null");
        this.serverId = requireNonNull(serverId, "serverId is null");
        this.api = requireNonNull(api, "api is null");
        this.ttlNanos = requireNonNull(ttl, "ttl is null").toNanos();
        this.clock = requireNonNull(clock, "clock is null");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.onElected = requireNonNull(onElected, "onElected is null");
        if (ttlNanos <= 0) {
            throw new IllegalArgumentException("ttl is not above zero: " + ttl);
        }
    }

    /** Runs a first round at once, then one every third of the time to live. */
    public void start() {
        long period = Math.max(1, ttlNanos / 3);
        ticker.scheduleWithFixedDelay(this::roundSafely, 0, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean leads() {
        return term != 0;
    }

    @Override
    public List<Write> fence() {
        long current = term;
        if (current == 0) {
            throw new PlatformException(
                    ErrorCategory.CONFLICT,
                    "this server (" + serverId + ") no longer leads the control plane"
                            + lastSeen.map(lease -> "; " + lease.server() + " does")
                                    .orElse(""));
        }
        return List.of(Write.check(LEASES, TERM, current));
    }

    public String serverId() {
        return serverId;
    }

    /** The term this server leads in, or 0. */
    public long term() {
        return term;
    }

    /** The lease last read from the store: who leads, as far as this server knows. */
    public Optional<Lease> leader() {
        return lastSeen;
    }

    /** A line for {@code /healthz}: who leads, and what this server is. */
    public String describe() {
        if (leads()) {
            return "this server (" + serverId + ") leads the control plane, term " + term;
        }
        return lastSeen.map(lease -> "this server (" + serverId + ") stands by; " + lease.server() + " at "
                                + lease.api() + " leads, term " + lease.term())
                        .orElse("this server (" + serverId + ") stands by; no leader is known yet")
                + (lastProblem == null ? "" : " (" + lastProblem + ")");
    }

    private void roundSafely() {
        try {
            round();
        } catch (RuntimeException e) {
            log.error("leader election round failed unexpectedly", e);
        }
    }

    /** One round: renew, wait, or take the lead. Visible for tests, which call it instead of waiting. */
    synchronized void round() {
        long now = nanoTime.getAsLong();
        try {
            Optional<Entry> current = store.get(LEASES, LEADER);
            lastProblem = null;
            if (current.isEmpty()) {
                acquire(null, now);
                return;
            }
            Lease lease = JsonCodec.readStored(current.get().value(), Lease.class);
            lastSeen = Optional.of(lease);
            if (lease.server().equals(serverId)) {
                if (leads() && lease.term() == term) {
                    renew(current.get(), now);
                } else {
                    acquire(current.get(), now);
                }
                return;
            }
            if (leads()) {
                stepDown(lease.server() + " leads now, term " + lease.term());
            }
            if (current.get().version() != seenVersion) {
                seenVersion = current.get().version();
                seenAtNanos = now;
            } else if (now - seenAtNanos >= ttlNanos) {
                log.info(
                        "the lease of {} was not renewed for {} ms; taking the lead",
                        lease.server(),
                        Duration.ofNanos(ttlNanos).toMillis());
                acquire(current.get(), now);
            }
        } catch (PlatformException e) {
            if (!e.getMessage().equals(lastProblem)) {
                log.warn("leader election: {}", e.getMessage());
            }
            lastProblem = e.getMessage();
        } finally {
            if (leads() && now - renewedAtNanos >= ttlNanos) {
                stepDown("the lease could not be renewed for "
                        + Duration.ofNanos(ttlNanos).toMillis() + " ms; another server may lead now");
            }
        }
    }

    private void acquire(Entry current, long now) {
        Optional<Entry> termEntry = store.get(LEASES, TERM);
        long nextTerm = termEntry.map(Entry::version).orElse(0L) + 1;
        String lease = JsonCodec.write(new Lease(serverId, api, nextTerm, clock.instant()));
        List<Write> writes = List.of(
                current == null
                        ? Write.create(LEASES, LEADER, lease)
                        : Write.update(LEASES, LEADER, lease, current.version()),
                termEntry.isEmpty()
                        ? Write.create(LEASES, TERM, serverId)
                        : Write.update(LEASES, TERM, serverId, termEntry.get().version()));
        try {
            List<Long> versions = store.commit(writes);
            renewedAtNanos = now;
            term = versions.get(1);
            lastSeen = Optional.of(JsonCodec.readStored(lease, Lease.class));
            log.info("this server ({}) leads the control plane, term {}", serverId, term);
        } catch (VersionConflictException e) {
            log.debug("another server took the lead first: {}", e.getMessage());
            return;
        }
        try {
            onElected.run();
        } catch (RuntimeException e) {
            log.warn("starting to lead failed", e);
        }
    }

    private void renew(Entry current, long now) {
        try {
            store.commit(List.of(
                    Write.update(
                            LEASES,
                            LEADER,
                            JsonCodec.write(new Lease(serverId, api, term, clock.instant())),
                            current.version()),
                    Write.check(LEASES, TERM, term)));
            renewedAtNanos = now;
        } catch (VersionConflictException e) {
            stepDown("the lease changed under it: " + e.getMessage());
        }
    }

    private void stepDown(String why) {
        log.warn("this server ({}) stops leading, term {}: {}", serverId, term, why);
        term = 0;
    }

    /** Stops the rounds and gives the lease up if this server holds it, so that another takes over at once. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (!leads()) {
                return;
            }
            try {
                Optional<Entry> current = store.get(LEASES, LEADER);
                if (current.isPresent()) {
                    store.commit(List.of(
                            Write.delete(LEASES, LEADER, current.get().version()), Write.check(LEASES, TERM, term)));
                    log.info("this server ({}) gave up the lead, term {}", serverId, term);
                }
            } catch (PlatformException e) {
                log.warn(
                        "could not give up the lead: {}; another server takes over when the lease expires",
                        e.getMessage());
            }
            term = 0;
        }
    }
}
