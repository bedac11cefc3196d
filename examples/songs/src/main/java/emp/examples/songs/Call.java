package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import brave.propagation.TraceContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One request as a service's API sees it.
 *
 * @param path  the raw path, e.g. {@code /3}
 * @param query the query parameters, decoded; the first value of each name
 * @param trace the server span's context, the parent of every call made to answer it
 */
record Call(String path, Map<String, String> query, TraceContext trace) {
    Call {
        requireNonNull(path, "path is null");
        requireNonNull(trace, "trace is null");
        query = Map.copyOf(query);
    }

    static Call of(String path, String rawQuery, TraceContext trace) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                if (!name.isEmpty()) {
                    query.putIfAbsent(name, value);
                }
            }
        }
        return new Call(path, query, trace);
    }

    /** True for {@code /}. */
    boolean isRoot() {
        return path.equals("/") || path.isEmpty();
    }

    /** The id in a path of the form {@code /<id>}, or empty when the path is not of that form. */
    OptionalInt id() {
        if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(path.substring(1)));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The route template the path matches, which names the server span ({@code GET /{id}}): {@code /},
     * {@code /{id}}, or the empty string for a path no service serves.
     */
    String route() {
        if (isRoot()) {
            return "/";
        }
        return id().isPresent() ? "/{id}" : "";
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
