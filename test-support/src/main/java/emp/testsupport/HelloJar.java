package emp.testsupport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the tests find the hello example's jar: the system property {@code hello.jar}, which the module's build sets
 * from its test dependency on {@code emp:hello}; or, when a test runs outside Maven, the jar built in
 * {@code ../../examples/hello/target} (a plugin module's tests run in the module's folder).
 */
public final class HelloJar {
    private HelloJar() {}

    public static Path path() {
        String property = System.getProperty("hello.jar");
        if (property != null
                && !property.isBlank()
                && !property.startsWith("$")
                && Files.isRegularFile(Path.of(property))) {
            return Path.of(property).toAbsolutePath();
        }
        Path target = Path.of("../../examples/hello/target").toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "hello-*.jar")) {
                for (Path jar : jars) {
                    return jar;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list '" + target + "'", e);
            }
        }
        throw new IllegalStateException(
                "the hello example's jar is not built (system property hello.jar is '" + property
                        + "'); build it with `mvn -q -B install -f examples/hello/pom.xml` from the repository's root");
    }

    /** The command that runs hello in a JVM tuned to start fast, as the tests start many. */
    public static List<String> command() {
        return List.of(
                java(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Xmx64m",
                "-jar",
                path().toString());
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
