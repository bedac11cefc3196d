package emp.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --username}, {@code --password} and {@code --password-stdin}: what is missing is prompted for when a
 * person is at a terminal, and is an error naming the flag otherwise.
 */
public final class CredentialOptions {
    @Option(names = "--username", paramLabel = "NAME", description = "The account's name (prompted for when missing).")
    String username;

    @Option(
            names = "--password",
            paramLabel = "PASSWORD",
            description = "The password (prompted for, hidden, when missing). Others may see it in the process list; "
                    + "scripts should use --password-stdin.")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from the first line of stdin.")
    boolean passwordStdin;

    /**
     * The credentials to send.
     *
     * @param confirm whether a prompted password is asked twice (a new account's)
     */
    Credentials resolve(CliContext context, CommandSpec spec, boolean confirm) {
        if (password != null && passwordStdin) {
            throw new ParameterException(
                    spec.commandLine(), "--password and --password-stdin cannot be used together; pick one");
        }
        if (passwordStdin && username == null) {
            throw new ParameterException(
                    spec.commandLine(), "--password-stdin needs --username NAME, since stdin holds the password");
        }
        String name = username;
        if (name == null) {
            requireTerminal(context, "--username NAME");
            name = context.prompter().readLine("Username: ");
            if (name == null) {
                throw CliException.user("no username given; pass --username NAME");
            }
        }
        name = name.trim();
        if (name.isEmpty()) {
            throw CliException.user("the username is empty; pass --username NAME");
        }
        String secret = password;
        if (passwordStdin) {
            secret = readStdinLine(context);
        } else if (secret == null) {
            requireTerminal(context, "--password-stdin (or --password PASSWORD)");
            secret = context.prompter().readPassword("Password: ");
            if (secret != null && confirm) {
                String again = context.prompter().readPassword("Repeat password: ");
                if (!secret.equals(again)) {
                    throw CliException.user("the two passwords differ; run '" + spec.qualifiedName() + "' again");
                }
            }
        }
        if (secret == null || secret.isEmpty()) {
            throw CliException.user("the password is empty; type one, or pass it with --password-stdin");
        }
        return new Credentials(name, secret);
    }

    private static void requireTerminal(CliContext context, String flag) {
        if (!context.interactive()) {
            throw CliException.user("missing " + flag + "; stdin is not a terminal, so emp cannot prompt for it");
        }
    }

    private static String readStdinLine(CliContext context) {
        try {
            String line = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw CliException.user("--password-stdin was given but stdin is empty; pipe the password in, e.g. "
                        + "'echo \"$PASSWORD\" | emp login --username NAME --password-stdin'");
            }
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        } catch (IOException e) {
            throw CliException.user("cannot read the password from stdin: " + e.getMessage());
        }
    }
}
