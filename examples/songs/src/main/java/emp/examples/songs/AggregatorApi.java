package emp.examples.songs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code aggregator}: {@code GET /?user=ID} (default 1) is a user's home page, gathered from all four other
 * services at once: the user, whether they are signed in, their playlists with songs, and the catalog.
 */
final class AggregatorApi implements Api {
    private final Downstream downstream;

    AggregatorApi(Downstream downstream) {
        this.downstream = downstream;
    }

    @Override
    public Reply handle(Call call) throws InterruptedException {
        if (!call.isRoot()) {
            return Reply.notFound(ServiceKind.AGGREGATOR, call, "/ and /?user=ID");
        }
        String user = call.query().getOrDefault("user", "1").trim();
        int id;
        try {
            id = Integer.parseInt(user);
        } catch (NumberFormatException e) {
            return Reply.error(400, "query 'user' is '" + user + "'; expected the id of a user, such as /?user=1");
        }
        // All four at once: the calls overlap, as a real fan-out's do, so the time spent is the slowest one's.
        CompletableFuture<JsonNode> users = downstream.get(ServiceKind.USERS, "/" + id, call.trace());
        CompletableFuture<JsonNode> auth = downstream.get(ServiceKind.AUTH, "/?user=" + id, call.trace());
        CompletableFuture<JsonNode> playlists = downstream.get(ServiceKind.PLAYLISTS, "/?owner=" + id, call.trace());
        CompletableFuture<JsonNode> songs = downstream.get(ServiceKind.SONGS, "/", call.trace());
        // Wait for every call to end, failed or not, so no client span outlives the server span it belongs to.
        try {
            CompletableFuture.allOf(List.of(users, auth, playlists, songs).toArray(CompletableFuture[]::new))
                    .get();
        } catch (ExecutionException e) {
            // Each call's own failure is reported by awaiting it below.
        }
        ObjectNode page = Json.MAPPER.createObjectNode();
        page.set("user", Downstream.await(users));
        page.set("auth", Downstream.await(auth));
        page.set("playlists", Downstream.await(playlists).path("playlists"));
        page.set("songs", Downstream.await(songs).path("songs"));
        return Reply.ok(page);
    }
}
