package emp.store.redis;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code store.redis} configuration section. The URL carries the address, the credentials and the database
 * index, as {@code redis://[user:password@]host[:port][/database]}, or {@code rediss://...} for TLS; its password is a
 * secret, so {@link #url()} and {@link #toString()} show it as {@code ****}.
 *
 * @param host           the Redis server's host name or address ({@code url})
 * @param port           its port ({@code url}, default 6379)
 * @param tls            whether to connect with TLS ({@code rediss://}); the server's certificate must be trusted by the
 *                       JVM and match the host name
 * @param user           the ACL user, or null for Redis's default user
 * @param password       the password, or null when Redis asks for none
 * @param database       the database index ({@code url}'s path, default 0)
 * @param prefix         what every key EMP writes starts with ({@code prefix}, default {@code emp:}), so that several
 *                       EMP installations, or other programs, can share one Redis
 * @param poolSize       the most connections kept open to Redis ({@code pool-size}, default 64: one per API request thread under load, so that none waits for a connection)
 * @param connectTimeout how long to wait for a connection to open ({@code connect-timeout}, default 2s)
 * @param socketTimeout  how long to wait for an answer to a command ({@code socket-timeout}, default 5s)
 */
public record RedisStoreConfig(
        String host,
        int port,
        boolean tls,
        String user,
        String password,
        int database,
        String prefix,
        int poolSize,
        Duration connectTimeout,
        Duration socketTimeout) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "store.redis";

    public static final String URL = "url";
    public static final String PREFIX = "prefix";
    public static final String POOL_SIZE = "pool-size";
    public static final String CONNECT_TIMEOUT = "connect-timeout";
    public static final String SOCKET_TIMEOUT = "socket-timeout";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(URL, PREFIX, POOL_SIZE, CONNECT_TIMEOUT, SOCKET_TIMEOUT);

    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
    public static final int DEFAULT_PORT = 6379;
    public static final String DEFAULT_PREFIX = "emp:";
    public static final int DEFAULT_POOL_SIZE = 64;
    public static final int MAX_POOL_SIZE = 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(5);

    private static final String MASK = "****";
    private static final String URL_FORM =
            "expected redis://[user:password@]host[:port][/database], or rediss://... for TLS";

    public RedisStoreConfig {
        requireNonNull(host, "host is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(socketTimeout, "socketTimeout is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port is not a port: " + port);
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("a user needs a password");
        }
        if (database < 0) {
            throw new IllegalArgumentException("database is negative: " + database);
        }
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("prefix is empty");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be positive: " + poolSize);
        }
        requireMillis("connectTimeout", connectTimeout);
        requireMillis("socketTimeout", socketTimeout);
    }

    private static void requireMillis(String name, Duration timeout) {
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be from 1ms to " + Integer.MAX_VALUE + "ms: " + timeout);
        }
    }

    /**
     * Binds and checks the section.
     *
     * @throws PlatformException of category INVALID naming an unknown key, or a key whose value is not what it should
     *                           be; a password never appears in the message
     */
    public static RedisStoreConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        config.requireKnown(KEYS);
        Address address = parseUrl(config, config.string(URL, DEFAULT_URL));
        return new RedisStoreConfig(
                address.host,
                address.port,
                address.tls,
                address.user,
                address.password,
                address.database,
                config.string(PREFIX, DEFAULT_PREFIX),
                config.integer(POOL_SIZE, DEFAULT_POOL_SIZE, 1, MAX_POOL_SIZE),
                timeout(config, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
                timeout(config, SOCKET_TIMEOUT, DEFAULT_SOCKET_TIMEOUT));
    }

    /** The URL with the password, if any, shown as {@code ****}: safe for messages and logs. */
    public String url() {
        StringBuilder url = new StringBuilder(tls ? "rediss://" : "redis://");
        if (password != null) {
            url.append(user == null ? "" : user).append(':').append(MASK).append('@');
        }
        url.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
        if (database != 0) {
            url.append('/').append(database);
        }
        return url.toString();
    }

    /** The timeouts in the milliseconds Jedis takes; the constructor keeps them in range. */
    int connectTimeoutMillis() {
        return (int) connectTimeout.toMillis();
    }

    int socketTimeoutMillis() {
        return (int) socketTimeout.toMillis();
    }

    @Override
    public String toString() {
        return "RedisStoreConfig[url=" + url() + ", prefix=" + prefix + ", poolSize=" + poolSize + ", connectTimeout="
                + connectTimeout + ", socketTimeout=" + socketTimeout + "]";
    }

    private record Address(String host, int port, boolean tls, String user, String password, int database) {}

    private static Address parseUrl(PluginConfig config, String raw) {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            // The exception's own message quotes the input, password and all; its reason does not.
            throw badUrl(config, raw, "it is not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw badUrl(config, raw, "its scheme must be redis:// or rediss:// (TLS)");
        }
        if (uri.isOpaque() || uri.getHost() == null) {
            throw badUrl(
                    config,
                    raw,
                    "it names no host (a host name holds only letters, digits, '-' and '.'), or is not a URL");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw badUrl(config, raw, "its port must be from 1 to 65535");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw badUrl(config, raw, "it takes no query (?...) or fragment (#...)");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw badUrl(config, raw, "its credentials must be user:password@ or :password@");
            }
            try {
                user = emptyToNull(decode(userInfo.substring(0, colon)));
                password = emptyToNull(decode(userInfo.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw badUrl(config, raw, "its credentials hold a '%' that does not start an escape such as %40");
            }
            if (user != null && password == null) {
                throw badUrl(config, raw, "it names a user without a password; write user:password@");
            }
        }
        return new Address(host, port, scheme.equals("rediss"), user, password, database(config, raw, uri));
    }

    private static int database(PluginConfig config, String raw, URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String index = path.substring(1);
        if (!index.chars().allMatch(c -> c >= '0' && c <= '9') || index.length() > 9) {
            throw badUrl(config, raw, "its path must be the database index, a number such as /0");
        }
        return Integer.parseInt(index);
    }

    private static String decode(String text) {
        // URLDecoder reads '+' as a space, which is form encoding, not URL encoding.
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }

    private static PlatformException badUrl(PluginConfig config, String raw, String problem) {
        String key = config.fullKey(URL);
        return PlatformException.invalid(
                key, "configuration key '" + key + "' is '" + masked(raw) + "': " + problem + "; " + URL_FORM);
    }

    /** The text with everything between the scheme and the last '@' (the credentials) shown as {@code ****}. */
    static String masked(String raw) {
        int at = raw.lastIndexOf('@');
        if (at < 0) {
            return raw;
        }
        int scheme = raw.indexOf("://");
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return raw.substring(0, start) + MASK + raw.substring(at);
    }

    private static Duration timeout(PluginConfig config, String key, Duration defaultValue) {
        Duration timeout = config.duration(key, defaultValue);
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw PlatformException.invalid(
                    config.fullKey(key),
                    "configuration key '" + config.fullKey(key) + "' is '"
                            + config.get(key).orElse("")
                            + "'; expected a duration from 1ms to 24d, such as 500ms or 2s");
        }
        return timeout;
    }
}
