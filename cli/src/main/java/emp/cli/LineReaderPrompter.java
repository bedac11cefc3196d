package emp.cli;

import static java.util.Objects.requireNonNull;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;

/** Prompts through the shell's jline reader, so that a question inside {@code emp shell} uses its terminal. */
final class LineReaderPrompter implements Prompter {
    private final LineReader reader;

    LineReaderPrompter(LineReader reader) {
        this.reader = requireNonNull(reader, "reader is null");
    }

    @Override
    public String readLine(String prompt) {
        return read(prompt, null);
    }

    @Override
    public String readPassword(String prompt) {
        return read(prompt, '\0');
    }

    private String read(String prompt, Character mask) {
        // Answers to prompts (passwords above all) stay out of the shell's history.
        reader.setVariable(LineReader.DISABLE_HISTORY, true);
        try {
            return reader.readLine(prompt, mask);
        } catch (UserInterruptException | EndOfFileException e) {
            return null;
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, false);
        }
    }
}
