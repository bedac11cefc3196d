package emp.examples.songs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code songs}: {@code GET /} lists the songs ({@code ?ids=1,4,7} picks some, in that order, skipping unknown
 * ids), {@code GET /{id}} answers one.
 */
final class SongsApi implements Api {
    @Override
    public Reply handle(Call call) {
        if (call.isRoot()) {
            String ids = call.query().get("ids");
            if (ids == null) {
                return Reply.ok(Map.of("songs", Catalog.SONGS));
            }
            List<Song> songs = new ArrayList<>();
            for (String id : ids.split(",")) {
                if (id.isBlank()) {
                    continue;
                }
                Optional<Song> song;
                try {
                    song = Catalog.song(Integer.parseInt(id.trim()));
                } catch (NumberFormatException e) {
                    return Reply.error(
                            400, "query 'ids' has '" + id + "'; expected song ids separated by commas, such as 1,4,7");
                }
                song.ifPresent(songs::add);
            }
            return Reply.ok(Map.of("songs", songs));
        }
        if (call.id().isPresent()) {
            int id = call.id().getAsInt();
            return Catalog.song(id)
                    .map(Reply::ok)
                    .orElseGet(() ->
                            Reply.error(404, "there is no song '" + id + "'; GET / lists the songs and their ids"));
        }
        return Reply.notFound(ServiceKind.SONGS, call, "/, /?ids=1,2 and /{id}");
    }
}
