package emp.store.redis;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import java.util.NoSuchElementException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * What went wrong with Redis, in words a person can act on: what Jedis threw (refused credentials, a cluster node, an
 * error reply by its code, a pool that stayed busy, Redis away), an entry another program wrote, a reply EMP does not
 * understand. Each names the store's URL and the key to change.
 */
final class RedisFailures {
    private final RedisStoreConfig config;
    private final String url;

    RedisFailures(RedisStoreConfig config) {
        this.config = config;
        this.url = config.url();
    }

    /** Turns what Jedis threw into an error a person can act on, by what went wrong. */
    PlatformException of(String operation, RuntimeException e) {
        String cannot = "cannot " + operation + ": ";
        String store = "the Redis state store at " + url;
        if (e instanceof JedisAccessControlException) {
            return new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    cannot + store + " refused EMP (" + describe(e) + "); check the user and password in"
                            + " 'store.redis.url', and that the user may run scripts, hash and stream commands on keys"
                            + " starting with '" + config.prefix() + "'",
                    e);
        }
        if (e instanceof JedisRedirectionException) {
            return new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    cannot + store + " is a node of a Redis Cluster (" + describe(e)
                            + "); point 'store.redis.url' at a standalone Redis or a primary",
                    e);
        }
        if (e instanceof JedisDataException) {
            return dataFailure(cannot + store, e);
        }
        if (e instanceof JedisException) {
            if (causedByPoolTimeout(e)) {
                return new PlatformException(
                        ErrorCategory.UNAVAILABLE,
                        cannot + "all " + config.poolSize() + " connections to " + store + " stayed busy for "
                                + config.connectTimeout()
                                        .plus(config.socketTimeout())
                                        .toMillis()
                                + " ms; check why Redis is slow, or raise 'store.redis.pool-size'",
                        e);
            }
            return new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    cannot + store + " is unreachable: " + describe(e) + "; check that Redis runs and that"
                            + " 'store.redis.url' points at it"
                            + (config.tls()
                                    ? ", and that Redis serves TLS there with a certificate the JVM trusts"
                                    : ""),
                    e);
        }
        return new PlatformException(ErrorCategory.INTERNAL, cannot + store + " failed: " + describe(e), e);
    }

    private PlatformException dataFailure(String context, RuntimeException e) {
        String message = describe(e);
        String code = message.split(" ", 2)[0];
        return switch (code) {
            case "LOADING" ->
                unavailable(context + " is loading its data into memory (" + message + "); retry in a moment", e);
            case "BUSY" -> unavailable(context + " is busy running a script (" + message + "); retry in a moment", e);
            case "READONLY" ->
                unavailable(
                        context + " is a read-only replica (" + message + "); point 'store.redis.url' at the primary",
                        e);
            case "OOM" ->
                unavailable(context + " is out of memory (" + message + "); raise Redis's maxmemory or free memory", e);
            case "MISCONF" ->
                unavailable(
                        context + " refuses writes because it cannot save its data (" + message
                                + "); see Redis's log and fix its disk or persistence settings",
                        e);
            case "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS" ->
                unavailable(context + " cannot serve now (" + message + "); retry in a moment", e);
            case "WRONGTYPE" ->
                new PlatformException(
                        ErrorCategory.INTERNAL,
                        context + " holds a key of another type than EMP writes (" + message
                                + "); another program writes keys starting with '" + config.prefix()
                                + "': give 'store.redis.prefix' a prefix of EMP's own",
                        e);
            default ->
                message.contains("DB index")
                        ? unavailable(
                                context + " has no such database (" + message
                                        + "); give 'store.redis.url' a database index that Redis has, such as /0",
                                e)
                        : new PlatformException(ErrorCategory.INTERNAL, context + " answered an error: " + message, e);
        };
    }

    private static PlatformException unavailable(String message, Throwable cause) {
        return new PlatformException(ErrorCategory.UNAVAILABLE, message, cause);
    }

    private static boolean causedByPoolTimeout(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoSuchElementException
                    && cause.getMessage() != null
                    && cause.getMessage().contains("Timeout waiting")) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    PlatformException foreignEntry(String collection, String key) {
        return new PlatformException(
                ErrorCategory.INTERNAL,
                "the entry '" + collection + "/" + key + "' in the Redis state store at " + url
                        + " is not in EMP's form; another program writes keys starting with '" + config.prefix()
                        + "': give 'store.redis.prefix' a prefix of EMP's own");
    }

    PlatformException unexpectedReply(String operation, Object reply) {
        String shown = String.valueOf(reply);
        return new PlatformException(
                ErrorCategory.INTERNAL,
                "cannot " + operation + ": the Redis state store at " + url + " answered "
                        + (shown.length() > 200 ? shown.substring(0, 200) + "..." : shown)
                        + ", which EMP does not understand; check that Redis is Redis "
                        + RedisStateStore.MIN_REDIS_MAJOR
                        + " or newer");
    }

    /**
     * The exception's message, with its root cause's when that says more. Jedis keeps why a connection failed
     * ({@code Connection refused}) as a suppressed exception, not as the cause.
     */
    static String describe(Throwable e) {
        String text = message(e);
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root.getSuppressed().length > 0) {
            root = root.getSuppressed()[0];
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
        }
        if (root != e) {
            String inner = message(root);
            if (!text.contains(inner)) {
                text = text + " (" + inner + ")";
            }
        }
        return text;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        message = message.strip();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }
}
