package emp.cli;

import java.time.Instant;
import java.util.regex.Pattern;
import org.jline.reader.impl.history.DefaultHistory;

/** The shell's history, which never keeps a line that carries a password on it ({@code --password}). */
final class ShellHistory extends DefaultHistory {
    private static final Pattern PASSWORD = Pattern.compile("(^|\\s)--password(=|\\s|$)");

    @Override
    public void add(Instant time, String line) {
        if (!holdsPassword(line)) {
            super.add(time, line);
        }
    }

    static boolean holdsPassword(String line) {
        return PASSWORD.matcher(line).find();
    }
}
