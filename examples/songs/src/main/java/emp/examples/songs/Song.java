package emp.examples.songs;

import static java.util.Objects.requireNonNull;

/** A song, as the songs service answers it. */
public record Song(int id, String title, String artist, String album, int durationSeconds) {
    public Song {
        requireNonNull(title, "title is null");
        requireNonNull(artist, "artist is null");
        requireNonNull(album, "album is null");
    }
}
