package emp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version {@code emp --version} prints, from the build's {@code version.properties}. */
final class EmpVersion implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        return new String[] {"emp " + version(), "Java " + System.getProperty("java.version")};
    }

    static String version() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = EmpVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            properties.load(in);
        }
        return properties.getProperty("version", "unknown");
    }
}
