package emp.host.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down password guessing, per username and per client address (but the loopback one): {@link #FREE} failures within {@link #WINDOW}
 * cost nothing; after them each attempt must wait, from the last failure, twice as long as the one before (1 s, 2 s,
 * 4 s...) up to {@link #MAX_WAIT}. A success clears the username's count. A throttle, not a lock-out: a person who
 * waits can always try again, so a stranger's failures cost the account's owner at most a few minutes. The counts live
 * in memory, per server, at most {@link #MAX_KEYS} of them (the least recently failed go first). Thread-safe.
 */
final class LoginThrottle {
    static final int FREE = 5;
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration MAX_WAIT = Duration.ofMinutes(15);
    static final int MAX_KEYS = 10_000;

    private final Clock clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_KEYS;
        }
    };

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** @throws Throttled when the username or the address must wait before another attempt */
    synchronized void check(String username, String address) {
        Instant now = clock.instant();
        for (String key : keys(username, address)) {
            Failures counted = failures.get(key);
            if (counted == null) {
                continue;
            }
            if (counted.last.plus(WINDOW).isBefore(now)) {
                failures.remove(key);
                continue;
            }
            Instant allowed = counted.last.plus(counted.delay());
            if (now.isBefore(allowed)) {
                long seconds = Math.max(1, Duration.between(now, allowed).toSeconds() + 1);
                throw new Throttled(
                        counted.count + " failed logins "
                                + (key.startsWith("user:") ? "for this username" : "from this address")
                                + " in a row; wait " + seconds + " s before trying again",
                        seconds);
            }
        }
    }

    synchronized void failed(String username, String address) {
        Instant now = clock.instant();
        for (String key : keys(username, address)) {
            Failures counted = failures.get(key);
            if (counted == null || counted.last.plus(WINDOW).isBefore(now)) {
                counted = new Failures();
                failures.put(key, counted);
            }
            counted.count++;
            counted.last = now;
        }
    }

    synchronized void succeeded(String username) {
        failures.remove("user:" + username);
    }

    /** How many failures are remembered for {@code username}: 0 when none, or when they are past the window. */
    synchronized int failures(String username) {
        Failures counted = failures.get("user:" + username);
        return counted == null || counted.last.plus(WINDOW).isBefore(clock.instant()) ? 0 : counted.count;
    }

    /**
     * The counts an attempt touches: its username's, and its address's unless that is the server's own machine, where
     * every local client (and a reverse proxy in front) shares one address, so one could slow all the others down.
     */
    private static String[] keys(String username, String address) {
        return address == null || loopback(address)
                ? new String[] {"user:" + username}
                : new String[] {"user:" + username, "addr:" + address};
    }

    private static boolean loopback(String address) {
        return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
    }

    private static final class Failures {
        int count;
        Instant last;

        Duration delay() {
            if (count < FREE) {
                return Duration.ZERO;
            }
            int doublings = Math.min(30, count - FREE);
            Duration wait = Duration.ofSeconds(1L << doublings);
            return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
        }
    }
}
