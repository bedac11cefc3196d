package emp.examples.songs;

import java.util.Map;

/** {@code users}: {@code GET /} lists the users, {@code GET /{id}} answers one. */
final class UsersApi implements Api {
    @Override
    public Reply handle(Call call) {
        if (call.isRoot()) {
            return Reply.ok(Map.of("users", Catalog.USERS));
        }
        if (call.id().isPresent()) {
            int id = call.id().getAsInt();
            return Catalog.user(id)
                    .map(Reply::ok)
                    .orElseGet(() ->
                            Reply.error(404, "there is no user '" + id + "'; GET / lists the users and their ids"));
        }
        return Reply.notFound(ServiceKind.USERS, call, "/ and /{id}");
    }
}
