package emp.cli;

import java.io.Console;

/** Prompts through {@link System#console()}, which hides what is typed for passwords. */
final class ConsolePrompter implements Prompter {
    @Override
    public String readLine(String prompt) {
        return console().readLine("%s", prompt);
    }

    @Override
    public String readPassword(String prompt) {
        char[] password = console().readPassword("%s", prompt);
        return password == null ? null : new String(password);
    }

    private static Console console() {
        Console console = System.console();
        if (console == null) {
            throw CliException.user("cannot prompt: there is no terminal; pass the value as an option instead");
        }
        return console;
    }
}
