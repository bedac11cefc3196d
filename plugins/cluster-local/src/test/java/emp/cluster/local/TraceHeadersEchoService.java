package emp.cluster.local;

import com.sun.net.httpserver.HttpServer;
import emp.testsupport.HelloJar;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A replica for the tests, run as its own process: it listens on {@code 127.0.0.1:$PORT}, answers {@code /health}
 * with {@code ok} and any other path with the trace headers it was sent, one {@code name=value} a line with names in
 * lower case, so a test can see what the gateway passed on. Needs only the JDK.
 */
public final class TraceHeadersEchoService {
    static final List<String> HEADERS = List.of(
            "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3", "traceparent");

    private TraceHeadersEchoService() {}

    public static void main(String[] args) throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 64);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = exchange.getRequestURI().getPath().equals("/health")
                        ? "ok"
                        : HEADERS.stream()
                                .filter(name -> exchange.getRequestHeaders().containsKey(name))
                                .map(name -> name + "="
                                        + String.join(
                                                ",",
                                                exchange.getRequestHeaders().get(name)))
                                .collect(Collectors.joining("\n"));
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
    }

    /** The command that runs it from the tests' compiled classes. */
    static List<String> command() {
        try {
            Path classes = Path.of(TraceHeadersEchoService.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return List.of(
                    HelloJar.java(),
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Xshare:auto",
                    "-Xmx32m",
                    "-cp",
                    classes.toString(),
                    TraceHeadersEchoService.class.getName());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the tests' classes", e);
        }
    }

    /** Reads an answer of the service back into header names and values. */
    static Map<String, String> parse(String body) {
        return body.lines()
                .filter(line -> line.contains("="))
                .collect(Collectors.toMap(
                        line -> line.substring(0, line.indexOf('=')).toLowerCase(Locale.ROOT),
                        line -> line.substring(line.indexOf('=') + 1)));
    }
}
