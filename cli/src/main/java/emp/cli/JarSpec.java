package emp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The app spec of {@code emp deploy --jar}: {@code {"name": NAME, "command": ["java", "-jar", "/abs/app.jar"]}}. The
 * jar is named by its absolute path, which only means something to a server on the same machine (the local
 * cluster runs commands as child processes).
 */
final class JarSpec {
    /** A version at the end of a jar's name: {@code -1.0.3}, {@code -0.1.0-SNAPSHOT}, {@code -2.1.0.RELEASE}. */
    private static final Pattern VERSION = Pattern.compile("-\\d+(\\.\\d+)*([-.][A-Za-z][A-Za-z0-9.-]*)?$");

    /** What an app's name may be, as the server checks it. */
    private static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    private JarSpec() {}

    /**
     * The spec that runs {@code jar}.
     *
     * @param name     the app's name, or null for {@link #appName} of the jar's file name
     * @param replicas how many replicas to run at first, or null for the server's default
     * @throws CliException naming the path when there is no such file, or the file name when no app name can be
     *                      made of it
     */
    static ObjectNode of(Path jar, String name, Integer replicas) {
        Path absolute = jar.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw CliException.user("jar '" + jar + "' does not exist; build it first, or give the path of one");
        }
        if (!Files.isRegularFile(absolute)) {
            throw CliException.user("'" + jar + "' is not a file; give the path of a jar, e.g. target/app.jar");
        }
        String appName = name;
        if (appName == null) {
            String fileName = absolute.getFileName().toString();
            appName = appName(fileName);
            if (!APP_NAME.matcher(appName).matches()) {
                throw CliException.user("cannot make an app name of '" + fileName + "' (it gives '" + appName
                        + "'; a name is 1 to 40 of a-z, 0-9 and '-', starting with a letter); pass --name NAME");
            }
        }
        ObjectNode spec = Json.MAPPER.createObjectNode().put("name", appName);
        spec.putArray("command").add("java").add("-jar").add(absolute.toString());
        if (replicas != null) {
            spec.put("replicas", replicas);
        }
        return spec;
    }

    /**
     * The app name a jar's file name suggests: without {@code .jar} and a trailing version, lower-cased, with each
     * character other than {@code a-z}, {@code 0-9} and {@code -} turned into {@code -}: {@code Songs_API-0.1.0-SNAPSHOT.jar}
     * gives {@code songs-api}.
     */
    static String appName(String fileName) {
        String name = fileName;
        if (name.toLowerCase(Locale.ROOT).endsWith(".jar")) {
            name = name.substring(0, name.length() - ".jar".length());
        }
        name = VERSION.matcher(name).replaceFirst("");
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }
}
