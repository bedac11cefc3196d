package emp.examples.songs;

import java.util.List;

/**
 * {@code auth}: {@code GET /?user=ID} says whether the user is signed in and with which roles; an unknown user is
 * answered, not refused: {@code "authenticated": false}.
 */
final class AuthApi implements Api {
    @Override
    public Reply handle(Call call) {
        if (!call.isRoot()) {
            return Reply.notFound(ServiceKind.AUTH, call, "/?user=ID");
        }
        String user = call.query().get("user");
        int id;
        try {
            id = Integer.parseInt(user == null ? "" : user.trim());
        } catch (NumberFormatException e) {
            return Reply.error(
                    400,
                    "query 'user' is '" + (user == null ? "" : user)
                            + "'; expected the id of the user to check, such as /?user=1");
        }
        if (Catalog.user(id).isEmpty()) {
            return Reply.ok(new Decision(id, false, List.of()));
        }
        return Reply.ok(new Decision(
                id, true, Catalog.ADMINS.contains(id) ? List.of("listener", "admin") : List.of("listener")));
    }

    /** The answer: who was checked, whether they are signed in, and what they may do. */
    record Decision(int user, boolean authenticated, List<String> roles) {
        Decision {
            roles = List.copyOf(roles);
        }
    }
}
