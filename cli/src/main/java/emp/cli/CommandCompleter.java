package emp.cli;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Tab completion in {@code emp shell}: command names, then each command's options and the values picocli knows
 * for them (output formats, shells), from the same command tree the shell runs.
 */
final class CommandCompleter implements Completer {
    /** Words the shell itself understands besides the commands. */
    static final List<String> SHELL_WORDS = List.of("exit", "quit");

    private final CommandSpec spec;

    CommandCompleter(CommandSpec spec) {
        this.spec = requireNonNull(spec, "spec is null");
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        for (String word : candidates(line.words(), line.wordIndex())) {
            candidates.add(new Candidate(word, word, null, null, null, null, true));
        }
    }

    /**
     * The words that may stand at {@code wordIndex}, whatever is typed of it so far; the reader keeps those that
     * start with the typed part.
     */
    List<String> candidates(List<String> words, int wordIndex) {
        List<CharSequence> found = new ArrayList<>();
        // With the typed part's position at 0, picocli answers with whole words rather than the rest of one.
        AutoComplete.complete(spec, words.toArray(String[]::new), wordIndex, 0, 0, found);
        List<String> result = new ArrayList<>();
        for (CharSequence candidate : found) {
            result.add(candidate.toString());
        }
        if (wordIndex == 0) {
            result.addAll(SHELL_WORDS);
        }
        return result;
    }
}
