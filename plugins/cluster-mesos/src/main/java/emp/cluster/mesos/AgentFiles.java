package emp.cluster.mesos;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the end of a task's sandbox files through its agent's {@code /files/read} endpoint, as the Mesos UI does: the
 * agent names a task's latest run {@code /frameworks/<framework>/executors/<executor>/runs/latest}, and a command task's
 * executor is named after the task.
 */
final class AgentFiles {
    /** The most bytes read from the end of one file: enough for the lines {@code emp logs} shows. */
    static final int WINDOW = 256 * 1024;

    private static final JsonFactory JSON = new JsonFactory();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    /** The {@code Authorization} header for agents that ask for credentials, or null. */
    private final String authorization;

    /** @param config whose principal and secret, when set, are sent to agents too (HTTP basic), as to the master */
    AgentFiles(MesosClusterConfig config) {
        this.authorization = config.authorization();
    }

    /**
     * The last {@code lines} lines of {@code file} ({@code stdout} or {@code stderr}) of a task's sandbox.
     *
     * @param agent the agent's base URL, {@code http://host:5051}
     * @return empty when the agent has no such file (the task never started there, or its sandbox was collected)
     * @throws IOException when the agent cannot be reached or answers what is not the files API
     */
    List<String> tail(URI agent, String frameworkId, String taskId, String file, int lines)
            throws IOException, InterruptedException {
        String path = "/frameworks/" + frameworkId + "/executors/" + taskId + "/runs/latest/" + file;
        Chunk size = read(agent, path, -1, 0);
        if (size == null) {
            return List.of();
        }
        long offset = Math.max(0, size.offset - WINDOW);
        Chunk chunk = read(agent, path, offset, (int) (size.offset - offset));
        if (chunk == null) {
            return List.of();
        }
        List<String> all = new ArrayList<>(Arrays.asList(chunk.data.split("\n", -1)));
        if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
            all.remove(all.size() - 1);
        }
        if (offset > 0 && !all.isEmpty()) {
            // The window began inside a line.
            all.remove(0);
        }
        return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private record Chunk(String data, long offset) {}

    private Chunk read(URI agent, String path, long offset, int length) throws IOException, InterruptedException {
        String query = "path=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + "&offset=" + offset
                + (offset < 0 ? "" : "&length=" + length);
        HttpRequest.Builder request = HttpRequest.newBuilder(agent.resolve("/files/read?" + query))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException("the agent answered " + response.statusCode() + " "
                    + new String(response.body(), StandardCharsets.UTF_8).strip());
        }
        String data = null;
        long at = -1;
        try (JsonParser parser = JSON.createParser(response.body())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the agent's answer is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("data") && value == JsonToken.VALUE_STRING) {
                    data = parser.getText();
                } else if (field.equals("offset") && value == JsonToken.VALUE_NUMBER_INT) {
                    at = parser.getLongValue();
                } else {
                    parser.skipChildren();
                }
            }
        }
        if (data == null || at < 0) {
            throw new IOException("the agent's answer lacks 'data' or 'offset'");
        }
        return new Chunk(data, at);
    }
}
