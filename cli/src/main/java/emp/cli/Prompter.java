package emp.cli;

/**
 * Asks the person at the terminal for a line or a password. The {@code emp} command only prompts when its stdin
 * and stdout are a terminal; otherwise it fails with a message naming the flag to pass instead.
 */
public interface Prompter {
    /**
     * Shows {@code prompt} and reads one line.
     *
     * @return the line without its line end, or null when the input has ended
     */
    String readLine(String prompt);

    /**
     * Shows {@code prompt} and reads one line without echoing it.
     *
     * @return the password, or null when the input has ended
     */
    String readPassword(String prompt);
}
