package emp.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers' jars, as this module's build wrote their paths (maven-dependency-plugin {@code build-classpath}) into
 * resources beside these classes. The jars stay in the local Maven repository; only their paths travel.
 */
final class Artifacts {
    static final String REBUILD = "build the test harness with `mvn -q -B install -f test-support/pom.xml` (it resolves"
            + " the servers' artifacts from Maven Central into the local repository), then run the tests again";

    private Artifacts() {}

    /** The Kafka broker's runtime classpath: kafka_2.13 and everything it needs. */
    static List<Path> kafkaClasspath() {
        return read("kafka.classpath", "the Kafka broker");
    }

    /** The Zipkin server's executable jar. */
    static Path zipkinServerJar() {
        List<Path> paths = read("zipkin-server.classpath", "the Zipkin server");
        if (paths.size() != 1) {
            throw new IllegalStateException(
                    "emp/testsupport/zipkin-server.classpath should name one jar but names " + paths + "; " + REBUILD);
        }
        return paths.get(0);
    }

    /** Where this module's classes are, so a child JVM can run {@link OrphanGuard} from them. */
    static Path ownClasses() {
        try {
            return Path.of(Artifacts.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell where the test harness's classes are; " + REBUILD, e);
        }
    }

    private static List<Path> read(String resource, String what) {
        String text;
        try (InputStream in = Artifacts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "resource emp/testsupport/" + resource + " (the jars of " + what + ") is missing; " + REBUILD);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read emp/testsupport/" + resource + "; " + REBUILD, e);
        }
        List<Path> paths = new ArrayList<>();
        for (String entry : text.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry.trim());
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException(
                        "jar " + path + " of " + what + " is not in the local Maven repository; " + REBUILD);
            }
            paths.add(path);
        }
        if (paths.isEmpty()) {
            throw new IllegalStateException("resource emp/testsupport/" + resource + " names no jar; " + REBUILD);
        }
        return paths;
    }
}
