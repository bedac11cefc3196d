package emp.bench.spans;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The span credentials of the bench user's apps, which EMP wants with each body or message of their spans: read from
 * the file {@code SPAN_CREDENTIALS} names, one {@code owner/name CREDENTIAL} a line, as span-ingest.sh writes it from
 * {@code GET /v1/apps/{id}/span-credential}. Without the variable there are none, and spans go without (Zipkin takes
 * them; EMP refuses them).
 */
final class SpanCredentials {
    private final Map<String, String> byService;

    private SpanCredentials(Map<String, String> byService) {
        this.byService = Map.copyOf(byService);
    }

    static SpanCredentials fromEnvironment() {
        String file = System.getenv("SPAN_CREDENTIALS");
        if (file == null || file.isBlank()) {
            return new SpanCredentials(Map.of());
        }
        Map<String, String> byService = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    byService.put(parts[0], parts[1]);
                } else if (!line.isBlank()) {
                    throw new IllegalArgumentException("SPAN_CREDENTIALS file '" + file + "' has the line '" + line
                            + "'; expected 'owner/name CREDENTIAL'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SPAN_CREDENTIALS file '" + file + "'", e);
        }
        return new SpanCredentials(byService);
    }

    boolean isEmpty() {
        return byService.isEmpty();
    }

    /**
     * The credential of {@code service} ({@code owner/name}).
     *
     * @throws IllegalStateException naming the service when the file has none for it
     */
    String of(String service) {
        String credential = byService.get(service);
        if (credential == null) {
            throw new IllegalStateException("no span credential for service '" + service + "' in SPAN_CREDENTIALS ("
                    + byService.keySet() + "); span-ingest.sh fetches one per app it creates");
        }
        return credential;
    }
}
