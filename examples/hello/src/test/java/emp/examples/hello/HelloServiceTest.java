package emp.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HelloServiceTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static HelloService service;

    @BeforeAll
    static void start() throws Exception {
        service = HelloService.start("127.0.0.1", 0, "alice/hello", "hi \"there\"");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void rootAnswersWhoAnswered() throws Exception {
        HttpResponse<String> response = get("/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.body())
                .isEqualTo("{\"app\":\"alice/hello\",\"instance\":\""
                        + ProcessHandle.current().pid() + "\",\"port\":" + service.port()
                        + ",\"path\":\"/\",\"message\":\"hi \\\"there\\\"\"}\n");
    }

    @Test
    void otherPathsEchoThePath() throws Exception {
        HttpResponse<String> response = get("/songs/42?x=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"path\":\"/songs/42\"");
    }

    @Test
    void sleepAnswersAfterTheMillisecondsAsked() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get("/sleep?x=1&ms=200");

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"path\":\"/sleep\"");
    }

    @Test
    void healthAnswersOk() throws Exception {
        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
