package emp.cli;

import static java.util.Objects.requireNonNull;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where one run of {@code emp} lives: its streams, environment variables, whether a person is at a terminal, and
 * the config folder. Commands reach the outside world only through it, so tests run them in-process against
 * captured streams and a temporary {@code EMP_HOME}.
 */
public final class CliContext {
    /** The server {@code emp} talks to when neither {@code --server}, {@code EMP_SERVER} nor the config names one. */
    public static final String DEFAULT_SERVER = "http://127.0.0.1:7070";

    private final PrintStream outStream;
    private final PrintStream errStream;
    private final PrintWriter out;
    private final PrintWriter err;
    private final InputStream in;
    private final Map<String, String> env;
    private final boolean interactive;
    private final Prompter prompter;
    private final boolean inShell;
    private final ConfigStore configStore;
    private final Duration pollInterval;
    private HttpClient httpClient;

    private CliContext(
            PrintStream outStream,
            PrintStream errStream,
            PrintWriter out,
            PrintWriter err,
            InputStream in,
            Map<String, String> env,
            boolean interactive,
            Prompter prompter,
            boolean inShell,
            Duration pollInterval,
            HttpClient httpClient) {
        this.outStream = outStream;
        this.errStream = errStream;
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
        this.interactive = interactive;
        this.prompter = prompter;
        this.inShell = inShell;
        this.pollInterval = pollInterval;
        this.httpClient = httpClient;
        this.configStore = new ConfigStore(home(env));
    }

    /**
     * A context over the given streams and environment.
     *
     * @param interactive whether stdin and stdout are a terminal: only then does {@code emp} prompt or draw a
     *                    live progress line
     * @param prompter    how to prompt when interactive
     */
    public static CliContext of(
            PrintStream out,
            PrintStream err,
            InputStream in,
            Map<String, String> env,
            boolean interactive,
            Prompter prompter) {
        requireNonNull(out, "out is null");
        requireNonNull(err, "err is null");
        return new CliContext(
                out,
                err,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                requireNonNull(in, "in is null"),
                Map.copyOf(requireNonNull(env, "env is null")),
                interactive,
                requireNonNull(prompter, "prompter is null"),
                false,
                Duration.ofMillis(300),
                null);
    }

    /** The context of a real process: the JVM's streams and environment, prompting through the console. */
    public static CliContext system() {
        return of(System.out, System.err, System.in, System.getenv(), systemIsInteractive(), new ConsolePrompter());
    }

    /** This context as seen from inside {@code emp shell}: interactive, prompting through the shell's reader. */
    CliContext forShell(Prompter shellPrompter) {
        return new CliContext(
                outStream, errStream, out, err, in, env, true, shellPrompter, true, pollInterval, httpClient);
    }

    /** This context polling the server every {@code interval} while waiting or following. */
    public CliContext withPollInterval(Duration interval) {
        return new CliContext(
                outStream,
                errStream,
                out,
                err,
                in,
                env,
                interactive,
                prompter,
                inShell,
                requireNonNull(interval, "interval is null"),
                httpClient);
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    PrintStream outStream() {
        return outStream;
    }

    public InputStream in() {
        return in;
    }

    /** An environment variable, or null when it is unset or empty. */
    public String env(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public boolean interactive() {
        return interactive;
    }

    public Prompter prompter() {
        return prompter;
    }

    boolean inShell() {
        return inShell;
    }

    public ConfigStore configStore() {
        return configStore;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    /** One HTTP client per run, made on first use. */
    synchronized HttpClient httpClient() {
        if (httpClient == null) {
            httpClient = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }
        return httpClient;
    }

    private static Path home(Map<String, String> env) {
        String home = env.get("EMP_HOME");
        if (home != null && !home.isEmpty()) {
            return Path.of(home);
        }
        return Path.of(System.getProperty("user.home"), ".emp");
    }

    /**
     * Whether stdin and stdout are both a terminal. Up to Java 21 the JVM gives a {@link Console} only then; from
     * Java 22 it may give one anyway and says through {@code Console.isTerminal()}.
     */
    static boolean systemIsInteractive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
