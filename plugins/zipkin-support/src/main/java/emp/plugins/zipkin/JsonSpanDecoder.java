package emp.plugins.zipkin;

import emp.spi.tracing.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a list of spans in Zipkin's JSON v2 straight from its bytes into EMP's spans: the same spans, normalised
 * the same way, as zipkin2's {@code SpanBytesDecoder.JSON_V2} followed by {@link ZipkinSpans#toEmp}, and the same
 * bodies refused, at a fraction of the cost. zipkin2 reads through Gson's character reader, makes a String of every
 * field name and value, and builds a {@code zipkin2.Span} with its endpoints (parsing every IP address) only for EMP
 * to copy it; here names are matched as bytes ({@link JsonBytes}) and only what EMP keeps becomes an object. Measured
 * in bench/RESULTS.md ("Span ingestion"); checked against what zipkin2 writes and reads by its test.
 *
 * <p>As zipkin2: ids as {@link ZipkinIds} normalises them; span and service names lower-cased, an empty one none; a
 * negative timestamp or duration 0; a CLIENT span never shared; an annotation needs both its timestamp and its value,
 * a tag a value. Stateless and thread-safe.
 */
public final class JsonSpanDecoder {
    private static final byte[] TRACE_ID = ascii("traceId");
    private static final byte[] ID = ascii("id");
    private static final byte[] PARENT_ID = ascii("parentId");
    private static final byte[] KIND = ascii("kind");
    private static final byte[] NAME = ascii("name");
    private static final byte[] TIMESTAMP = ascii("timestamp");
    private static final byte[] DURATION = ascii("duration");
    private static final byte[] LOCAL_ENDPOINT = ascii("localEndpoint");
    private static final byte[] REMOTE_ENDPOINT = ascii("remoteEndpoint");
    private static final byte[] ANNOTATIONS = ascii("annotations");
    private static final byte[] TAGS = ascii("tags");
    private static final byte[] DEBUG = ascii("debug");
    private static final byte[] SHARED = ascii("shared");
    private static final byte[] SERVICE_NAME = ascii("serviceName");
    private static final byte[] IPV4 = ascii("ipv4");
    private static final byte[] IPV6 = ascii("ipv6");
    private static final byte[] PORT = ascii("port");
    private static final byte[] VALUE = ascii("value");
    /** Service and span names, lower-cased as Zipkin does. */
    private static final RepeatedStrings NAMES = new RepeatedStrings(true);
    /** Tag keys, as they are. */
    private static final RepeatedStrings KEYS = new RepeatedStrings(false);

    private final JsonBytes json;

    private JsonSpanDecoder(byte[] in, int offset, int length) {
        this.json = new JsonBytes(in, offset, length);
    }

    /**
     * @param json a JSON array of v2 spans; an empty array (or no bytes) is no span
     * @throws IllegalArgumentException saying what is wrong and where, when the bytes are not such a list
     */
    public static List<Span> decodeList(byte[] json) {
        return decodeList(json, 0, json.length);
    }

    /**
     * @param json bytes holding a JSON array of v2 spans from {@code offset}, {@code length} of them
     * @throws IllegalArgumentException saying what is wrong and where, when the bytes are not such a list
     */
    public static List<Span> decodeList(byte[] json, int offset, int length) {
        return new JsonSpanDecoder(json, offset, length).list();
    }

    private List<Span> list() {
        if (json.atEnd()) {
            return List.of();
        }
        json.expect('[');
        List<Span> spans = new ArrayList<>();
        for (boolean first = true; json.more(']', first); first = false) {
            spans.add(span(spans.size()));
        }
        if (!json.atEnd()) {
            throw json.error("data after the end of the list");
        }
        return spans;
    }

    private Span span(int index) {
        json.skipWhitespace();
        json.expect('{');
        String traceId = null;
        String id = null;
        String parentId = null;
        Span.Kind kind = null;
        String name = null;
        String localService = null;
        String remoteService = null;
        long timestamp = 0;
        long duration = 0;
        Map<String, String> tags = null;
        boolean shared = false;
        for (boolean first = true; json.more('}', first); first = false) {
            json.fieldName();
            if (json.nameIs(TRACE_ID)) {
                traceId = json.repeatable("traceId", ZipkinIds::traceId);
                continue;
            }
            if (json.nameIs(ID)) {
                id = ZipkinIds.spanId(json.string("id"), "id");
                continue;
            }
            if (json.nullValue()) {
                continue;
            }
            if (json.nameIs(PARENT_ID)) {
                parentId = ZipkinIds.spanId(json.string("parentId"), "parentId");
            } else if (json.nameIs(KIND)) {
                kind = kind(json.string("kind"));
            } else if (json.nameIs(NAME)) {
                name = emptyToNull(json.string("name", NAMES));
            } else if (json.nameIs(TIMESTAMP)) {
                timestamp = Math.max(0, json.number("timestamp"));
            } else if (json.nameIs(DURATION)) {
                duration = Math.max(0, json.number("duration"));
            } else if (json.nameIs(LOCAL_ENDPOINT)) {
                localService = endpoint();
            } else if (json.nameIs(REMOTE_ENDPOINT)) {
                remoteService = endpoint();
            } else if (json.nameIs(ANNOTATIONS)) {
                annotations();
            } else if (json.nameIs(TAGS)) {
                tags = tags(tags);
            } else if (json.nameIs(DEBUG)) {
                json.bool("debug");
            } else if (json.nameIs(SHARED)) {
                shared = json.bool("shared");
            } else {
                json.skipValue();
            }
        }
        if (traceId == null || id == null) {
            throw new IllegalArgumentException("span " + index + " of the list has no "
                    + (traceId == null ? id == null ? "traceId and no id" : "traceId" : "id"));
        }
        if (id.equals(parentId)) {
            parentId = null;
        }
        if (kind == Span.Kind.CLIENT) {
            shared = false;
        }
        return new Span(
                traceId, id, parentId, name, kind, localService, remoteService, timestamp, duration, tags, shared);
    }

    /** An endpoint object: its service name (lower case), null when it has none; its other fields checked, unused. */
    private String endpoint() {
        json.expect('{');
        String service = null;
        for (boolean first = true; json.more('}', first); first = false) {
            json.fieldName();
            if (json.nullValue()) {
                continue;
            }
            if (json.nameIs(SERVICE_NAME)) {
                service = emptyToNull(json.string("serviceName", NAMES));
            } else if (json.nameIs(IPV4) || json.nameIs(IPV6)) {
                json.skipString("an endpoint's ip");
            } else if (json.nameIs(PORT)) {
                long port = json.number("port");
                if (port != (int) port) {
                    throw json.error("port " + port + " is not an int");
                }
            } else {
                json.skipValue();
            }
        }
        return service;
    }

    /** Annotations are not read by EMP: each is checked for its timestamp and value, as Zipkin requires. */
    private void annotations() {
        json.expect('[');
        for (boolean firstAnnotation = true; json.more(']', firstAnnotation); firstAnnotation = false) {
            json.expect('{');
            boolean timestamp = false;
            boolean value = false;
            for (boolean first = true; json.more('}', first); first = false) {
                json.fieldName();
                if (json.nameIs(TIMESTAMP)) {
                    json.number("an annotation's timestamp");
                    timestamp = true;
                } else if (json.nameIs(VALUE)) {
                    json.skipString("an annotation's value");
                    value = true;
                } else {
                    json.skipValue();
                }
            }
            if (!timestamp || !value) {
                throw json.error("an annotation without its " + (timestamp ? "value" : "timestamp"));
            }
        }
    }

    /** The tags object, added to those of an earlier one in the span (a repeated key: the last value wins). */
    private Map<String, String> tags(Map<String, String> earlier) {
        json.expect('{');
        List<String> pairs = new ArrayList<>(8);
        if (earlier != null) {
            earlier.forEach((key, value) -> {
                pairs.add(key);
                pairs.add(value);
            });
        }
        for (boolean first = true; json.more('}', first); first = false) {
            String key = json.string("a tag's key", KEYS);
            json.skipWhitespace();
            json.expect(':');
            json.skipWhitespace();
            if (json.nullValue()) {
                throw json.error("tag '" + key + "' has no value");
            }
            pairs.add(key);
            pairs.add(json.string("a tag's value"));
        }
        return immutableMap(pairs);
    }

    /** Keys and values in turn as a map; a repeated key takes its last value. */
    private static Map<String, String> immutableMap(List<String> pairs) {
        int size = pairs.size() / 2;
        if (size > 8) {
            Map<String, String> map = new HashMap<>(size * 2);
            for (int i = 0; i < pairs.size(); i += 2) {
                map.put(pairs.get(i), pairs.get(i + 1));
            }
            return Map.copyOf(map);
        }
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = new Map.Entry[size];
        int kept = 0;
        for (int i = 0; i < pairs.size(); i += 2) {
            String key = pairs.get(i);
            int same = 0;
            while (same < kept && !entries[same].getKey().equals(key)) {
                same++;
            }
            entries[same] = Map.entry(key, pairs.get(i + 1));
            if (same == kept) {
                kept++;
            }
        }
        return switch (kept) {
            case 0 -> Map.of();
            case 1 -> Map.of(entries[0].getKey(), entries[0].getValue());
            case 2 -> Map.of(entries[0].getKey(), entries[0].getValue(), entries[1].getKey(), entries[1].getValue());
            default -> Map.ofEntries(Arrays.copyOf(entries, kept));
        };
    }

    private static Span.Kind kind(String kind) {
        try {
            return Span.Kind.valueOf(kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind '" + kind + "' is none of CLIENT, SERVER, PRODUCER, CONSUMER");
        }
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
