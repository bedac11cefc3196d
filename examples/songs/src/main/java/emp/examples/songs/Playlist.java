package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A user's playlist as stored: the songs by id, which the playlists service resolves through the songs service. */
public record Playlist(int id, String name, int ownerId, List<Integer> songIds) {
    public Playlist {
        requireNonNull(name, "name is null");
        songIds = List.copyOf(songIds);
    }
}
