package dev.pydb.engine.actions;

import static dev.pydb.api.action.RequestFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.auth.LoginResult;
import dev.pydb.engine.auth.LoginThrottle;
import dev.pydb.engine.dispatch.Services;
import dev.pydb.engine.session.Session;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * LOGIN ({@code username}, {@code password}): issues a token and binds it to the connection, so
 * later requests on it need no {@code auth}. Result {@code {"token", "expires_at", "roles"}} with
 * {@code expires_at} an ISO-8601 UTC instant such as {@code 2026-11-24T04:20:00Z}. When the
 * server offers a {@link LoginThrottle}, a locked-out username or client address is refused
 * before the password is checked, and every failure and success is reported to it.
 */
public final class LoginAction implements ActionHandler {
    @Override
    public String action() {
        return "LOGIN";
    }

    @Override
    public Permission permission() {
        return Permission.NONE;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String username = requiredString(request, "username");
        String password = requiredString(request, "password");
        Optional<Session> session = context.service(Session.class);
        Optional<LoginThrottle> throttle = context.service(LoginThrottle.class);
        String address = session.map(s -> LoginThrottle.hostOf(s.remoteAddress())).orElse("(unknown)");
        throttle.ifPresent(t -> t.checkAllowed(username, address));
        LoginResult login;
        try {
            login = Services.require(context, Authenticator.class).login(username, password);
        } catch (PydbException e) {
            if (e.code() == ErrorCode.UNAUTHENTICATED) {
                throttle.ifPresent(t -> t.failed(username, address));
            }
            throw e;
        }
        throttle.ifPresent(t -> t.succeeded(username, address));
        session.ifPresent(s -> s.bindToken(login.token()));
        ObjectNode result = context.json().createObjectNode();
        result.put("token", login.token());
        result.put("expires_at", DateTimeFormatter.ISO_INSTANT.format(login.expiresAt()));
        ArrayNode roles = result.putArray("roles");
        login.principal().roles().forEach(roles::add);
        return result;
    }
}
