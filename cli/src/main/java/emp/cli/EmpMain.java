package emp.cli;

import static java.util.Objects.requireNonNull;

import emp.host.ServerCommand;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code emp} command: the top of the command tree and the process entry point.
 *
 * <p>{@code server} is the host's own command ({@link ServerCommand}), so {@code emp server} and {@code bin/emp-server}
 * take the same flags; the shell and the completion scripts pick it up from the tree like the others.
 */
@Command(
        name = "emp",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = EmpVersion.class,
        usageHelpAutoWidth = true,
        description = "Deploys microservices to EMP and shows how they run.",
        footer = {
            "",
            "Start with 'emp login', then 'emp deploy app.json'. Config: $EMP_HOME/config (default ~/.emp).",
            "Exit codes: 0 done, 1 refused (4xx) or failed, 2 usage error or server not reachable, 3 server error (5xx)."
        },
        subcommands = {
            HelpCommand.class,
            CreateAccountCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            DeployCommand.class,
            ListCommand.class,
            InfoCommand.class,
            StopCommand.class,
            StartCommand.class,
            RestartCommand.class,
            ReleasesCommand.class,
            RollbackCommand.class,
            RemoveCommand.class,
            ScaleCommand.class,
            ConfigCommand.class,
            SecretsCommand.class,
            TracingCommand.class,
            LoadCommand.class,
            UpdateMetricsCommand.class,
            EventsCommand.class,
            LogsCommand.class,
            PluginsCommand.class,
            UsersCommand.class,
            UserStateCommand.Disable.class,
            UserStateCommand.Enable.class,
            InviteCommand.class,
            ScrapeTokensCommand.class,
            AuditCommand.class,
            ShellCommand.class,
            CompletionCommand.class,
            ServerCommand.class,
        })
public final class EmpMain implements Callable<Integer> {
    private final CliContext context;

    @Spec
    CommandSpec spec;

    public EmpMain(CliContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** The run's context, for subcommands. */
    public CliContext context() {
        return context;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command; 'emp help' lists them, e.g. 'emp login'");
    }

    /**
     * The whole command tree over {@code context}, with its streams, error handling and exit codes set: 0 done,
     * 1 a refusal (4xx) or local failure, 2 a usage error or an unreachable server, 3 a server error (5xx).
     */
    public static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(new EmpMain(context));
        commandLine.setOut(context.out());
        commandLine.setErr(context.err());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> report(e, context));
        return commandLine;
    }

    /** Runs {@code emp} with {@code args} in {@code context}; returns the exit code. */
    public static int run(CliContext context, String... args) {
        int exitCode = commandLine(context).execute(args);
        context.out().flush();
        context.err().flush();
        return exitCode;
    }

    /**
     * Runs {@code emp} over the given streams and environment without exiting, as tests and embedders do. No
     * person is taken to be at a terminal: nothing is prompted for and progress is printed as plain lines.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        return run(CliContext.of(out, err, in, env, false, new ConsolePrompter()), args);
    }

    public static void main(String[] args) {
        System.exit(run(CliContext.system(), args));
    }

    private static int report(Exception e, CliContext context) {
        PrintWriter err = context.err();
        if (e instanceof CliException cli) {
            String[] lines = cli.getMessage().split("\n");
            err.println("emp: error: " + lines[0]);
            for (int i = 1; i < lines.length; i++) {
                err.println("emp: " + lines[i]);
            }
            err.flush();
            return cli.exitCode();
        }
        err.println("emp: error: unexpected failure: " + e);
        if (context.env("EMP_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("emp: set EMP_DEBUG=1 to see where it happened, and report it");
        }
        err.flush();
        return CliException.USER_ERROR;
    }
}
