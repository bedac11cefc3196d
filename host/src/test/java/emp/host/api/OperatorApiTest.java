package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sign-up by invite, the operator's routes and their refusals, and the login slow-down, on a real server. */
class OperatorApiTest {
    @TempDir
    static Path dataDir;

    static TestServer server;
    static String operator;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir, Map.of("accounts.signup", "invite"));
        // The first account, made from this machine: the operator.
        Reply root = server.send("POST", "/v1/accounts", null, credentials("root"));
        assertThat(root.status()).isEqualTo(201);
        assertThat(root.json().get("role").asText()).isEqualTo("operator");
        operator = login("root");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String credentials(String name) {
        return "{\"username\": \"" + name + "\", \"password\": \"correct horse\"}";
    }

    private static String login(String name) {
        Reply session = server.send("POST", "/v1/sessions", null, credentials(name));
        assertThat(session.status()).as(session.body()).isEqualTo(201);
        return session.json().get("token").asText();
    }

    /** A user let in by an invite of the operator's; returns the token. */
    private static String invited(String name) {
        Reply invite = server.send("POST", "/v1/invites", operator, null);
        assertThat(invite.status()).isEqualTo(201);
        String body = "{\"username\": \"" + name + "\", \"password\": \"correct horse\", \"invite\": \""
                + invite.json().get("code").asText() + "\"}";
        Reply made = server.send("POST", "/v1/accounts", null, body);
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(made.json().get("role").asText()).isEqualTo("user");
        assertThat(server.send("POST", "/v1/accounts", null, body.replace(name, name + "-again"))
                        .status())
                .as("an invite lets one account in")
                .isEqualTo(403);
        return login(name);
    }

    @Test
    void withoutAnInviteSignUpIsRefused() {
        Reply refused = server.send("POST", "/v1/accounts", null, credentials("walk-in"));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.detail()).contains("takes an invite", "emp invite");
    }

    @Test
    void everyOperatorRouteRefusesAUser() {
        String user = invited("ursula");

        for (String[] route : new String[][] {
            {"GET", "/v1/users"},
            {"POST", "/v1/users/root/disable"},
            {"POST", "/v1/users/ursula/enable"},
            {"POST", "/v1/invites"},
            {"GET", "/v1/audit"},
            {"POST", "/v1/scrape-tokens"},
            {"GET", "/v1/scrape-tokens"},
            {"DELETE", "/v1/scrape-tokens/abc"},
            {"GET", "/v1/apps?all=true"},
        }) {
            Reply reply = server.send(route[0], route[1], user, null);
            assertThat(reply.status()).as("%s %s", route[0], route[1]).isEqualTo(403);
            assertThat(reply.detail()).contains("only the platform's operators");
        }
        assertThat(server.send("GET", "/v1/users", null, null).status()).isEqualTo(401);
    }

    @Test
    void aScrapeTokenReadsEveryAppsMetricsAndNothingElseUntilRevoked() {
        String user = invited("prometheus-fan");
        assertThat(server.send("POST", "/v1/scrape-tokens", user, null).status())
                .isEqualTo(403);
        assertThat(server.send("POST", "/v1/scrape-tokens", operator, "{\"days\": 0}")
                        .status())
                .isEqualTo(400);
        Reply made = server.send("POST", "/v1/scrape-tokens", operator, "{\"days\": 30}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String token = made.json().get("token").asText();
        String id = made.json().get("id").asText();
        assertThat(token).startsWith("emp_scrape_");

        Reply scraped = server.send("GET", "/metrics", token, null);
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.body()).contains("emp_app_series_left_out");
        Reply api = server.send("GET", "/v1/apps", token, null);
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.detail()).contains("scrape token");
        assertThat(server.send("GET", "/v1/scrape-tokens", operator, null).list())
                .anySatisfy(listed -> {
                    assertThat(listed.get("id").asText()).isEqualTo(id);
                    assertThat(listed.has("token")).isFalse();
                });

        assertThat(server.send("DELETE", "/v1/scrape-tokens/" + id, operator, null)
                        .status())
                .isEqualTo(204);
        assertThat(server.send("GET", "/metrics", token, null).status()).isEqualTo(401);
        assertThat(server.send("DELETE", "/v1/scrape-tokens/" + id, operator, null)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aDisabledUserLosesTokensAndLoginAndItsAppsStop() {
        String user = invited("victor");
        assertThat(server.send(
                                "POST",
                                "/v1/apps",
                                user,
                                "{\"name\": \"idle\", \"command\": [\"sleep\", \"1000\"], \"replicas\": 0}")
                        .status())
                .isEqualTo(201);
        assertThat(server.send("GET", "/v1/apps?all=true", operator, null).list())
                .anySatisfy(app -> assertThat(app.get("owner").asText()).isEqualTo("victor"));

        Reply disabled = server.send("POST", "/v1/users/victor/disable", operator, null);

        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().get("disabled").asBoolean()).isTrue();
        assertThat(server.send("GET", "/v1/apps", user, null).status()).isEqualTo(401);
        Reply login = server.send("POST", "/v1/sessions", null, credentials("victor"));
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.detail()).contains("disabled");
        assertThat(server.send("GET", "/v1/apps?all=true", operator, null).list())
                .filteredOn(app -> app.get("owner").asText().equals("victor"))
                .singleElement()
                .satisfies(app -> assertThat(app.get("state").asText()).isEqualTo("stopped"));
        assertThat(server.send("POST", "/v1/users/root/disable", operator, null).status())
                .as("not oneself")
                .isEqualTo(400);

        assertThat(server.send("POST", "/v1/users/victor/enable", operator, null)
                        .status())
                .isEqualTo(200);
        assertThat(login("victor")).isNotBlank();
        JsonNode users = server.send("GET", "/v1/users", operator, null).json();
        assertThat(users.findValuesAsText("username")).contains("root", "victor");
        assertThat(server.send("GET", "/v1/audit?limit=1000", operator, null)
                        .json()
                        .findValuesAsText("type"))
                .contains("signup", "invite", "login", "disable", "enable");
    }

    @Test
    void failedLoginsAreSlowedDownWith429AndRetryAfter() {
        invited("wanda");
        String wrong = "{\"username\": \"wanda\", \"password\": \"wrong horse\"}";
        for (int i = 0; i < 5; i++) {
            assertThat(server.send("POST", "/v1/sessions", null, wrong).status())
                    .isEqualTo(401);
        }

        var throttled = TestServer.call(HttpRequest.newBuilder(server.api().resolve("/v1/sessions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(credentials("wanda")))
                .build());

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After"))
                .hasValueSatisfying(
                        seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        assertThat(throttled.body()).contains("failed logins");
    }
}
