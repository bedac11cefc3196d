package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The polling loop of {@code --follow}: fetch, print, pause, until interrupted (Ctrl-C in the shell), which ends
 * following as a success wherever it lands: in the pause or in a request.
 */
final class Follow {
    private Follow() {}

    static void loop(CliContext context, Supplier<JsonNode> fetch, Consumer<JsonNode> print) {
        while (pause(context)) {
            JsonNode answer;
            try {
                answer = fetch.get();
            } catch (CliException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                throw e;
            }
            print.accept(answer);
        }
    }

    private static boolean pause(CliContext context) {
        try {
            Thread.sleep(context.pollInterval().toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
