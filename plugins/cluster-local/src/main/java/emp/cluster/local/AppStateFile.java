package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What the local cluster remembers of one app between runs, so that a server that died can adopt the replicas it
 * left running: which processes (pid and start instant, so a reused pid is not mistaken for ours), on which ports,
 * started from which spec. A small properties file, replaced atomically on every change.
 *
 * @param app         the app
 * @param desired     the replica count it was driving towards
 * @param fingerprint the fingerprint of the spec it last deployed, or null when it has not deployed one
 * @param healthPath  the spec's explicit health path, or null when it gives none
 * @param stateless   whether a replica's working folder goes when the replica is stopped on purpose
 * @param nextIndex   the number the next new replica gets, so ids are not reused
 * @param replicas    the replicas whose processes were running
 */
record AppStateFile(
        AppRef app,
        int desired,
        String fingerprint,
        String healthPath,
        boolean stateless,
        int nextIndex,
        List<Entry> replicas) {
    /** The name of the file in the app's folder. */
    static final String NAME = "state.properties";

    AppStateFile {
        requireNonNull(app, "app is null");
        replicas = List.copyOf(replicas);
    }

    /**
     * One running replica.
     *
     * @param id          its id, e.g. {@code hello-2}
     * @param index       the number in its id
     * @param pid         its process id
     * @param started     when its process started, as the OS reports it
     * @param port        the port it listens on
     * @param fingerprint the fingerprint of the spec it was started from
     * @param restarts    how many times it was restarted
     */
    record Entry(String id, int index, long pid, Instant started, int port, String fingerprint, int restarts) {
        Entry {
            requireNonNull(id, "id is null");
            requireNonNull(started, "started is null");
            requireNonNull(fingerprint, "fingerprint is null");
        }
    }

    void write(Path file) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("owner", app.owner());
        properties.setProperty("name", app.name());
        properties.setProperty("desired", Integer.toString(desired));
        properties.setProperty("next-index", Integer.toString(nextIndex));
        if (fingerprint != null) {
            properties.setProperty("fingerprint", fingerprint);
        }
        if (healthPath != null) {
            properties.setProperty("health-path", healthPath);
        }
        properties.setProperty("stateless", Boolean.toString(stateless));
        List<String> ids = new ArrayList<>();
        for (Entry entry : replicas) {
            ids.add(entry.id());
            String prefix = "replica." + entry.id() + ".";
            properties.setProperty(prefix + "index", Integer.toString(entry.index()));
            properties.setProperty(prefix + "pid", Long.toString(entry.pid()));
            properties.setProperty(prefix + "started", entry.started().toString());
            properties.setProperty(prefix + "port", Integer.toString(entry.port()));
            properties.setProperty(prefix + "fingerprint", entry.fingerprint());
            properties.setProperty(prefix + "restarts", Integer.toString(entry.restarts()));
        }
        properties.setProperty("replicas", String.join(",", ids));
        DataFolder.writeProperties(
                file, properties, "EMP local cluster: the replicas of " + app + "; read at start to adopt them");
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IOException when it cannot be read or is not such a file (the message says which key is wrong)
     */
    static AppStateFile read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        try {
            AppRef app = new AppRef(required(properties, "owner"), required(properties, "name"));
            List<Entry> replicas = new ArrayList<>();
            for (String id : properties.getProperty("replicas", "").split(",")) {
                if (id.isBlank()) {
                    continue;
                }
                String prefix = "replica." + id + ".";
                replicas.add(new Entry(
                        id,
                        Integer.parseInt(required(properties, prefix + "index")),
                        Long.parseLong(required(properties, prefix + "pid")),
                        Instant.parse(required(properties, prefix + "started")),
                        Integer.parseInt(required(properties, prefix + "port")),
                        required(properties, prefix + "fingerprint"),
                        Integer.parseInt(required(properties, prefix + "restarts"))));
            }
            return new AppStateFile(
                    app,
                    Integer.parseInt(required(properties, "desired")),
                    properties.getProperty("fingerprint"),
                    properties.getProperty("health-path"),
                    !"false".equals(properties.getProperty("stateless")),
                    Integer.parseInt(required(properties, "next-index")),
                    replicas);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IOException("'" + file + "' holds a malformed value: " + e.getMessage(), e);
        }
    }

    private static String required(Properties properties, String key) throws IOException {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IOException("key '" + key + "' is missing");
        }
        return value;
    }
}
