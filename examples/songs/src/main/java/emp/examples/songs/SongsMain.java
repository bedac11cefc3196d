package emp.examples.songs;

import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar songs.jar SERVICE}: runs one service of the songs system, configured by its environment (see
 * the README): {@code PORT}, {@code EMP_SERVICE_NAME}, the {@code <DEP>_URL}s, {@code ZIPKIN_ENDPOINT} or
 * {@code KAFKA_ADDRESS}, and the knobs. SERVICE may instead come from {@code SONGS_SERVICE}.
 */
public final class SongsMain {
    private static final Logger LOG = LoggerFactory.getLogger(SongsMain.class);
    private static final String USAGE = "usage: java -jar songs.jar users|songs|playlists|auth|aggregator"
            + " (or set SONGS_SERVICE to one of them)";

    private SongsMain() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        if (args.length > 1) {
            exit("songs: expected one argument, the service to run, but got " + args.length + "; " + USAGE);
        }
        String service = args.length == 1 ? args[0] : env.get("SONGS_SERVICE");
        if (service == null || service.isBlank()) {
            exit("songs: no service named; " + USAGE);
        }
        ServiceConfig config = null;
        SpanReporting reporting = null;
        try {
            config = ServiceConfig.fromEnvironment(service.trim(), env);
            reporting = SpanReporting.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            exit("songs: " + e.getMessage());
        }
        SongsService running = null;
        try {
            running = SongsService.start(config, reporting.handler());
        } catch (IOException e) {
            reporting.close();
            exit("songs: " + e.getMessage());
        }
        SongsService started = running;
        SpanReporting spans = reporting;
        // The platform stops a replica with SIGTERM: stop answering, then send the spans still queued.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            started.close();
                            spans.close();
                        },
                        "songs-shutdown"));
        LOG.info(
                "service '{}' as '{}' (pid {}) listening on {}; spans {}",
                config.kind().id(),
                config.serviceName(),
                ProcessHandle.current().pid(),
                started.url(),
                spans.description());
    }

    private static void exit(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
