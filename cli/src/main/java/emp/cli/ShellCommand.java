package emp.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code emp shell}: reads commands from a jline prompt and runs each as {@code emp} would, with tab completion
 * of commands and options and a history kept in {@code $EMP_HOME/history}. Ctrl-C stops the running command
 * (e.g. {@code events -f}) and keeps the shell; Ctrl-D or {@code exit} leaves it.
 */
@Command(name = "shell", description = "Runs emp commands interactively, with tab completion and history.")
final class ShellCommand extends EmpCommand {
    @Override
    public Integer call() throws IOException {
        CliContext context = context();
        if (context.inShell()) {
            throw CliException.user("already in the emp shell; type the command itself, e.g. 'list'");
        }
        Path historyFile = context.configStore().createPrivateFile("history");
        try (Terminal terminal = terminal(context)) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("emp")
                    .parser(new DefaultParser())
                    .completer(new CommandCompleter(EmpMain.commandLine(context).getCommandSpec()))
                    .history(new ShellHistory())
                    .variable(LineReader.HISTORY_FILE, historyFile)
                    .build();
            CliContext shellContext = context.forShell(new LineReaderPrompter(reader));
            terminal.writer().println("emp shell: Tab completes, 'help' lists the commands, 'exit' or Ctrl-D leaves.");
            terminal.writer().flush();
            loop(terminal, reader, shellContext);
            reader.getHistory().save();
        }
        return 0;
    }

    private static void loop(Terminal terminal, LineReader reader, CliContext shellContext) {
        while (true) {
            try {
                reader.readLine("emp> ");
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException e) {
                return;
            }
            List<String> words = new ArrayList<>();
            for (String word : reader.getParsedLine().words()) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
            if (!words.isEmpty() && words.get(0).equals("emp")) {
                // People type the command's name out of habit.
                words.remove(0);
            }
            if (words.isEmpty()) {
                continue;
            }
            if (CommandCompleter.SHELL_WORDS.contains(words.get(0))) {
                return;
            }
            run(terminal, shellContext, words);
        }
    }

    /** Runs one command; Ctrl-C meanwhile interrupts it instead of ending the JVM. */
    private static void run(Terminal terminal, CliContext shellContext, List<String> words) {
        Thread runner = Thread.currentThread();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> runner.interrupt());
        try {
            CommandLine commandLine = EmpMain.commandLine(shellContext);
            commandLine.execute(words.toArray(String[]::new));
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            // An interrupt that came after the command ended must not cut the next prompt short.
            Thread.interrupted();
            shellContext.out().flush();
            shellContext.err().flush();
        }
    }

    /** The terminal of the process when emp runs on the JVM's own stdin; else one over the context's streams. */
    private static Terminal terminal(CliContext context) throws IOException {
        if (context.in() == System.in) {
            return TerminalBuilder.builder().system(true).dumb(true).build();
        }
        return TerminalBuilder.builder()
                .system(false)
                .streams(context.in(), context.outStream())
                .type(Terminal.TYPE_DUMB)
                .dumb(true)
                .build();
    }
}
