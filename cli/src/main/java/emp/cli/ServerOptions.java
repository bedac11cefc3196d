package emp.cli;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Option;

/**
 * The {@code --server} option every command that talks to the server has, and how a command finds its server and
 * token: {@code --server}, then {@code EMP_SERVER}, then the config, then {@link CliContext#DEFAULT_SERVER}; the
 * token from {@code EMP_TOKEN}, then the config.
 */
public final class ServerOptions {
    @Option(
            names = "--server",
            paramLabel = "URL",
            description = {
                "The EMP server for this call. Without it: EMP_SERVER, else the server 'emp login' "
                        + "remembered, else",
                CliContext.DEFAULT_SERVER + "."
            })
    String server;

    /** The server this call talks to, normalized to a base URL without a trailing slash. */
    String resolveServer(CliContext context, CliConfig config) {
        if (server != null) {
            return normalize(server, "--server");
        }
        if (context.env("EMP_SERVER") != null) {
            return normalize(context.env("EMP_SERVER"), "EMP_SERVER");
        }
        if (config.server() != null) {
            return normalize(config.server(), "the config file's 'server'");
        }
        return CliContext.DEFAULT_SERVER;
    }

    /**
     * A client for this call.
     *
     * @param needsToken whether the command fails without a session
     * @throws CliException {@code not logged in; run 'emp login'} when a token is needed and there is none
     */
    EmpClient client(CliContext context, boolean needsToken) {
        CliConfig config = context.configStore().load();
        String token = context.env("EMP_TOKEN") != null ? context.env("EMP_TOKEN") : config.token();
        if (needsToken && token == null) {
            throw CliException.user("not logged in; run 'emp login'");
        }
        return new EmpClient(context.httpClient(), resolveServer(context, config), token);
    }

    /** A client that sends no token: for creating an account and logging in. */
    EmpClient anonymousClient(CliContext context) {
        return new EmpClient(
                context.httpClient(),
                resolveServer(context, context.configStore().load()),
                null);
    }

    /**
     * A server URL as a base URL: {@code host:port} gets {@code http://}, a trailing slash goes.
     *
     * @param source where the value came from, for the message when it is not a URL
     */
    static String normalize(String value, String source) {
        String url = value.trim();
        if (!url.contains("://")) {
            url = "http://" + url;
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = new URI(url);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (http && uri.getHost() != null && uri.getQuery() == null && uri.getFragment() == null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below, with the value and what is expected
        }
        throw CliException.user(source + " is '" + value + "', which is not a server URL; expected one like "
                + CliContext.DEFAULT_SERVER);
    }
}
