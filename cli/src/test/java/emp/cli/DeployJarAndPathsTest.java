package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeployJarAndPathsTest {
    @TempDir
    Path home;

    private FakeEmpServer server;
    private CliRunner emp;

    @BeforeEach
    void start() throws Exception {
        server = new FakeEmpServer();
        server.on("PUT", "/v1/apps", 200, Apps.json(Apps.app("hello", "pending", 1, 0)));
        emp = new CliRunner(home).env("EMP_SERVER", server.url()).env("EMP_TOKEN", "tok");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonNode sentSpec() throws Exception {
        return Json.MAPPER.readTree(server.requests("PUT", "/v1/apps").get(0).body());
    }

    @Test
    void deployJarSendsASpecThatRunsTheJarByItsAbsolutePathNamedAfterIt() throws Exception {
        Path jar = Files.writeString(
                Files.createDirectories(home.resolve("songs/target")).resolve("Songs_API-0.1.0-SNAPSHOT.jar"), "PK");
        Path relative = Path.of("").toAbsolutePath().relativize(jar.toAbsolutePath());

        CliRunner.Result result = emp.run("deploy", "--jar", relative.toString(), "--no-wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(sentSpec())
                .isEqualTo(Json.MAPPER
                        .createObjectNode()
                        .put("name", "songs-api")
                        .set(
                                "command",
                                Json.MAPPER
                                        .createArrayNode()
                                        .add("java")
                                        .add("-jar")
                                        .add(jar.toAbsolutePath().normalize().toString())));
    }

    @Test
    void deployJarTakesANameAndReplicas() throws Exception {
        Path jar = Files.writeString(home.resolve("hello-1.0.3.jar"), "PK");

        CliRunner.Result result =
                emp.run("deploy", "--jar", jar.toString(), "--name", "greeter", "--replicas", "2", "--no-wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(sentSpec().path("name").asText()).isEqualTo("greeter");
        assertThat(sentSpec().path("replicas").asInt()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({
        "hello.jar, hello",
        "hello-1.0.3.jar, hello",
        "songs-api-0.1.0-SNAPSHOT.jar, songs-api",
        "Songs_API-2.1.0.RELEASE.jar, songs-api",
        "log4j-bridge-1.0-rc1.jar, log4j-bridge",
        "web-v2.jar, web-v2",
        "my.service.jar, my-service",
    })
    void theAppNameComesFromTheJarsFileNameWithoutItsVersion(String fileName, String appName) {
        assertThat(JarSpec.appName(fileName)).isEqualTo(appName);
    }

    @Test
    void aJarThatIsMissingOrGivesNoNameIsAnErrorAndNothingIsSent() throws Exception {
        Path missing = home.resolve("target/nope.jar");
        Path digits = Files.writeString(home.resolve("2048-1.0.jar"), "PK");

        CliRunner.Result notThere = emp.run("deploy", "--jar", missing.toString());
        CliRunner.Result noName = emp.run("deploy", "--jar", digits.toString());

        assertThat(notThere.exitCode()).isEqualTo(1);
        assertThat(notThere.err())
                .isEqualTo("emp: error: jar '" + missing + "' does not exist; build it first, or"
                        + " give the path of one\n");
        assertThat(noName.exitCode()).isEqualTo(1);
        assertThat(noName.err())
                .contains("cannot make an app name of '2048-1.0.jar'")
                .contains("pass --name NAME");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void fileAndJarGoOneAtATime() throws Exception {
        Path jar = Files.writeString(home.resolve("hello.jar"), "PK");
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");

        CliRunner.Result both = emp.run("deploy", file.toString(), "--jar", jar.toString());
        CliRunner.Result neither = emp.run("deploy");
        CliRunner.Result nameWithFile = emp.run("deploy", file.toString(), "--name", "x");

        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("FILE and --jar cannot be used together");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).contains("missing FILE").contains("--jar PATH");
        assertThat(nameWithFile.exitCode()).isEqualTo(2);
        assertThat(nameWithFile.err()).contains("--name and --replicas go with --jar");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void relativePathsOfFilesInACommandAreTakenFromTheSpecFilesFolder() throws Exception {
        Path folder = Files.createDirectories(home.resolve("apps/hello"));
        Path jar = Files.writeString(
                Files.createDirectories(folder.resolve("target")).resolve("hello.jar"), "PK");
        Path script = Files.writeString(folder.resolve("run.sh"), "#!/bin/sh\n");
        Path file = Files.writeString(
                folder.resolve("system.json"),
                "[{\"name\": \"hello\", \"command\": [\"java\", \"-jar\", \"target/hello.jar\", \"missing/other.jar\","
                        + " \"${PORT}\"], \"envs\": [{\"name\": \"FILE\", \"value\": \"target/hello.jar\"}],"
                        + " \"score\": 1.50},\n"
                        + " {\"name\": \"tool\", \"command\": [\"./run.sh\", \"-v\", \"/bin/sh\"]}]");

        CliRunner.Result result = emp.run("deploy", "--no-wait", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode sent = sentSpec();
        assertThat(sent.get(0).path("command"))
                .extracting(JsonNode::asText)
                .containsExactly("java", "-jar", jar.toAbsolutePath().toString(), "missing/other.jar", "${PORT}");
        assertThat(sent.get(1).path("command"))
                .extracting(JsonNode::asText)
                .containsExactly(script.toAbsolutePath().toString(), "-v", "/bin/sh");
        // Only command arguments change: an env var's value that happens to name the file stays as it was.
        assertThat(sent.get(0).path("envs").get(0).path("value").asText()).isEqualTo("target/hello.jar");
        assertThat(server.requests("PUT", "/v1/apps").get(0).body()).contains("1.50");
    }

    @Test
    void aCommandWithoutFilesToResolveIsSentVerbatim() throws Exception {
        String spec = "{\"name\": \"hello\",\n \"command\": [\"java\", \"-jar\", \"missing/hello.jar\"]}\n";
        Path file = Files.writeString(home.resolve("hello.json"), spec);

        CliRunner.Result result = emp.run("deploy", "--no-wait", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(server.requests("PUT", "/v1/apps").get(0).body()).isEqualTo(spec);
    }
}
