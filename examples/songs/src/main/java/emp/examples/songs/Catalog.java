package emp.examples.songs;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The system's data, fixed and in memory: a few users, songs and playlists, and who is an administrator. */
final class Catalog {
    static final List<User> USERS = List.of(
            new User(1, "Alice Moreau", "alice@example.com", "FR"),
            new User(2, "Bruno Silva", "bruno@example.com", "BR"),
            new User(3, "Chen Wei", "chen@example.com", "CN"),
            new User(4, "Dana Levi", "dana@example.com", "IL"),
            new User(5, "Emeka Obi", "emeka@example.com", "NG"));

    static final List<Song> SONGS = List.of(
            new Song(1, "Blue in Green", "Miles Davis", "Kind of Blue", 337),
            new Song(2, "So What", "Miles Davis", "Kind of Blue", 562),
            new Song(3, "Naima", "John Coltrane", "Giant Steps", 261),
            new Song(4, "Take Five", "The Dave Brubeck Quartet", "Time Out", 324),
            new Song(5, "Águas de Março", "Elis Regina & Tom Jobim", "Elis & Tom", 212),
            new Song(6, "Chega de Saudade", "João Gilberto", "Chega de Saudade", 120),
            new Song(7, "Hey Jude", "The Beatles", "Hey Jude", 431),
            new Song(8, "Clair de Lune", "Claude Debussy", "Suite bergamasque", 300),
            new Song(9, "Gymnopédie No. 1", "Erik Satie", "Gymnopédies", 195),
            new Song(10, "Zombie", "Fela Kuti", "Zombie", 757),
            new Song(11, "Water No Get Enemy", "Fela Kuti", "Expensive Shit", 641),
            new Song(12, "Hallelujah", "Jeff Buckley", "Grace", 413));

    static final List<Playlist> PLAYLISTS = List.of(
            new Playlist(1, "Late night jazz", 1, List.of(1, 3, 4, 2)),
            new Playlist(2, "Bossa nova", 2, List.of(5, 6)),
            new Playlist(3, "Piano", 1, List.of(8, 9)),
            new Playlist(4, "Afrobeat", 5, List.of(10, 11)),
            new Playlist(5, "Covers", 4, List.of(12, 7)));

    /** The users the auth service grants the {@code admin} role, besides {@code listener}. */
    static final List<Integer> ADMINS = List.of(1);

    private Catalog() {}

    static Optional<User> user(int id) {
        return USERS.stream().filter(user -> user.id() == id).findFirst();
    }

    static Optional<Song> song(int id) {
        return SONGS.stream().filter(song -> song.id() == id).findFirst();
    }

    static Optional<Playlist> playlist(int id) {
        return PLAYLISTS.stream().filter(playlist -> playlist.id() == id).findFirst();
    }

    static List<Playlist> playlistsOf(int ownerId) {
        return PLAYLISTS.stream()
                .filter(playlist -> playlist.ownerId() == ownerId)
                .collect(Collectors.toList());
    }
}
