package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.dispatch.Services;
import dev.pydb.engine.session.Session;
import java.util.Optional;

/**
 * LOGOUT: revokes the token of the request ({@code auth.token}, else the one the connection
 * logged in with) everywhere, and logs the connection out. Result {@code {"revoked": true}}.
 */
public final class LogoutAction implements ActionHandler {
    @Override
    public String action() {
        return "LOGOUT";
    }

    @Override
    public Permission permission() {
        return Permission.AUTHENTICATED;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        Optional<Session> session = context.service(Session.class);
        String token = requestToken(request)
                .or(() -> session.flatMap(Session::token))
                .orElseThrow(() -> new PydbException(ErrorCode.UNAUTHENTICATED, "no token to revoke"));
        session.ifPresent(Session::clearToken);
        Services.require(context, Authenticator.class).logout(token);
        ObjectNode result = context.json().createObjectNode();
        result.put("revoked", true);
        return result;
    }

    private static Optional<String> requestToken(ObjectNode request) {
        JsonNode token = request.path("auth").path("token");
        return token.isTextual() ? Optional.of(token.textValue()) : Optional.empty();
    }
}
