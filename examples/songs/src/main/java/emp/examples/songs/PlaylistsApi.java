package emp.examples.songs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code playlists}: {@code GET /} lists the playlists ({@code ?owner=ID}: one user's), {@code GET /{id}} answers
 * one; each with its songs, which it asks of the songs service in one call per request.
 */
final class PlaylistsApi implements Api {
    private final Downstream downstream;

    PlaylistsApi(Downstream downstream) {
        this.downstream = downstream;
    }

    @Override
    public Reply handle(Call call) throws InterruptedException {
        if (call.isRoot()) {
            String owner = call.query().get("owner");
            if (owner == null) {
                return Reply.ok(Map.of("playlists", resolve(Catalog.PLAYLISTS, call)));
            }
            try {
                return Reply.ok(
                        Map.of("playlists", resolve(Catalog.playlistsOf(Integer.parseInt(owner.trim())), call)));
            } catch (NumberFormatException e) {
                return Reply.error(
                        400, "query 'owner' is '" + owner + "'; expected the id of a user, such as /?owner=1");
            }
        }
        if (call.id().isPresent()) {
            int id = call.id().getAsInt();
            return Catalog.playlist(id).isPresent()
                    ? Reply.ok(
                            resolve(List.of(Catalog.playlist(id).get()), call).get(0))
                    : Reply.error(404, "there is no playlist '" + id + "'; GET / lists the playlists and their ids");
        }
        return Reply.notFound(ServiceKind.PLAYLISTS, call, "/, /?owner=ID and /{id}");
    }

    private ArrayNode resolve(List<Playlist> playlists, Call call) throws InterruptedException {
        Set<Integer> ids = new LinkedHashSet<>();
        playlists.forEach(playlist -> ids.addAll(playlist.songIds()));
        Map<Integer, JsonNode> songs = new HashMap<>();
        if (!ids.isEmpty()) {
            String query = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
            JsonNode answer = Downstream.await(downstream.get(ServiceKind.SONGS, "/?ids=" + query, call.trace()));
            for (JsonNode song : answer.path("songs")) {
                songs.put(song.path("id").asInt(), song);
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Playlist playlist : playlists) {
            ObjectNode node = out.addObject()
                    .put("id", playlist.id())
                    .put("name", playlist.name())
                    .put("owner_id", playlist.ownerId());
            ArrayNode list = node.putArray("songs");
            for (int songId : playlist.songIds()) {
                JsonNode song = songs.get(songId);
                if (song != null) {
                    list.add(song);
                }
            }
        }
        return out;
    }
}
