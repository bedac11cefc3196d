package emp.host.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import emp.host.TestServer;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} read as Prometheus reads it: the protobuf exposition parsed with the Prometheus library's own
 * MetricFamily parser, the text exposition beside it; a counter moves when its event happens; per-app series only for
 * an operator's token, never for an anonymous scraper or another user.
 */
class MetricsTest {
    private static final String PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void anonymousScrapesGetThePlatformsFiguresAndOnlyAnOperatorGetsEachApps() throws Exception {
        try (TestServer server = TestServer.start(dataDir, Map.of())) {
            String operator = server.signUp("root");
            String tenant = server.signUp("ann");
            assertThat(server.send("POST", "/v1/apps", tenant, TestServer.helloSpec("counted", "\"replicas\": 0"))
                            .status())
                    .isEqualTo(201);
            assertThat(server.send("GET", "/v1/apps", tenant, null).status()).isEqualTo(200);

            Map<String, Metrics.MetricFamily> before = families(server, null);
            double listed = count(before, "GET", "/v1/apps", "200");
            assertThat(listed).as("GET /v1/apps was counted").isGreaterThanOrEqualTo(1);
            assertThat(server.send("GET", "/v1/apps", tenant, null).status()).isEqualTo(200);
            Map<String, Metrics.MetricFamily> after = families(server, null);
            assertThat(count(after, "GET", "/v1/apps", "200")).isEqualTo(listed + 1);
            assertThat(count(after, "GET", "/v1/apps/{id}", "404")).isZero();
            HttpResponse<byte[]> invented = HTTP.send(
                    HttpRequest.newBuilder(server.api().resolve("/v1/apps"))
                            .method("BREW", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(invented.statusCode()).isGreaterThanOrEqualTo(400);
            assertThat(families(server, null).get("emp_api_requests_seconds").getMetricList())
                    .as("a method a client invents is counted as other, not as a series of its own")
                    .noneMatch(metric -> label(metric, "method").equals("BREW"));
            assertThat(after)
                    .containsKeys(
                            "emp_leader",
                            "emp_reconcile_passes_total",
                            "jvm_memory_used_bytes",
                            "emp_gateway_requests_rate",
                            "emp_gateway_queued",
                            "emp_dashboard_streams");
            double commits = storeCalls(after, "commit");
            assertThat(commits).as("the deploy was a commit to the store").isGreaterThanOrEqualTo(1);
            assertThat(server.send("POST", "/v1/apps/counted/stop", tenant, null)
                            .status())
                    .isEqualTo(200);
            assertThat(storeCalls(families(server, null), "commit")).isGreaterThan(commits);
            assertThat(after.keySet()).noneMatch(name -> name.startsWith("emp_app_"));

            HttpResponse<byte[]> text = scrape(server, null, null);
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(
                            type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
            String body = new String(text.body(), StandardCharsets.UTF_8);
            assertThat(body).contains("emp_api_requests_seconds_bucket{").doesNotContain("ann/counted");

            Map<String, Metrics.MetricFamily> operators = families(server, operator);
            assertThat(operators).containsKey("emp_app_replicas_desired");
            assertThat(operators.get("emp_app_replicas_desired").getMetricList())
                    .anySatisfy(metric -> assertThat(metric.getLabelList())
                            .anySatisfy(label -> assertThat(label.getValue()).isEqualTo("ann/counted")));

            System.gc(); // JVM GC figures appear with the first collection
            Thread.sleep(200);
            Map<String, Metrics.MetricFamily> all = families(server, operator);
            assertThat(dashboardMetrics())
                    .as("every metric deploy/grafana/emp-dashboard.json reads is served")
                    .isNotEmpty()
                    .allSatisfy(name -> assertThat(served(all, name)).as(name).isTrue());

            assertThat(scrape(server, tenant, null).statusCode())
                    .as("per-app figures name every tenant's apps")
                    .isEqualTo(403);
            assertThat(scrape(server, "emp_session_not-a-token", null).statusCode())
                    .isEqualTo(401);
        }
    }

    /** How many calls of {@code operation} the host made to the store that succeeded. */
    private static double storeCalls(Map<String, Metrics.MetricFamily> families, String operation) {
        return families.get("emp_store_operations_seconds").getMetricList().stream()
                .filter(metric -> label(metric, "operation").equals(operation)
                        && label(metric, "outcome").equals("ok"))
                .mapToDouble(metric -> metric.getHistogram().getSampleCount())
                .sum();
    }

    /** The metric names the Grafana dashboard's queries read. */
    private static Set<String> dashboardMetrics() throws IOException {
        String dashboard = Files.readString(Path.of("..", "deploy", "grafana", "emp-dashboard.json"));
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\b((?:emp|jvm)_[a-z0-9_]+)").matcher(dashboard);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** Whether a series of {@code name} is served: a family of that name, or a histogram's or counter's part. */
    private static boolean served(Map<String, Metrics.MetricFamily> families, String name) {
        if (families.containsKey(name)) {
            return true;
        }
        for (String suffix : new String[] {"_bucket", "_count", "_sum", "_total"}) {
            if (name.endsWith(suffix) && families.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return true;
            }
        }
        return families.containsKey(name + "_total");
    }

    /** The scrape as protobuf, parsed with the Prometheus library's MetricFamily parser, by family name. */
    private static Map<String, Metrics.MetricFamily> families(TestServer server, String token) throws IOException {
        HttpResponse<byte[]> answer = scrape(server, token, PROTOBUF);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/vnd.google.protobuf"));
        Map<String, Metrics.MetricFamily> families = new HashMap<>();
        try (InputStream in = new ByteArrayInputStream(answer.body())) {
            for (Metrics.MetricFamily family = Metrics.MetricFamily.parseDelimitedFrom(in);
                    family != null;
                    family = Metrics.MetricFamily.parseDelimitedFrom(in)) {
                families.put(family.getName(), family);
            }
        }
        return families;
    }

    /** How many requests {@code emp_api_requests_seconds} counted for the method, route and status. */
    private static double count(
            Map<String, Metrics.MetricFamily> families, String method, String route, String status) {
        Metrics.MetricFamily requests = families.get("emp_api_requests_seconds");
        if (requests == null) {
            return 0;
        }
        return requests.getMetricList().stream()
                .filter(metric -> label(metric, "method").equals(method)
                        && label(metric, "route").equals(route)
                        && label(metric, "status").equals(status))
                .mapToDouble(metric -> metric.getHistogram().getSampleCount())
                .sum();
    }

    private static String label(Metrics.Metric metric, String name) {
        return metric.getLabelList().stream()
                .filter(label -> label.getName().equals(name))
                .map(Metrics.LabelPair::getValue)
                .findFirst()
                .orElse("");
    }

    private static HttpResponse<byte[]> scrape(TestServer server, String token, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.api().resolve("/metrics"))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("GET /metrics failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
