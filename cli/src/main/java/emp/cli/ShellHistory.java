package emp.cli;

import java.time.Instant;
import java.util.regex.Pattern;
import org.jline.reader.impl.history.DefaultHistory;

/**
 * The shell's history, which never keeps a line that carries a password ({@code --password}) or a secret's value
 * ({@code secrets set ID KEY=VALUE}) on it.
 */
final class ShellHistory extends DefaultHistory {
    private static final Pattern PASSWORD = Pattern.compile("(^|\\s)--password(=|\\s|$)");
    private static final Pattern SECRET_VALUE = Pattern.compile("(^|\\s)secrets\\s+set\\s.*=");

    @Override
    public void add(Instant time, String line) {
        if (!holdsSecret(line)) {
            super.add(time, line);
        }
    }

    static boolean holdsSecret(String line) {
        return PASSWORD.matcher(line).find() || SECRET_VALUE.matcher(line).find();
    }
}
