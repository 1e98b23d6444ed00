package dev.pydb.engine.fakes;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.Principal;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.auth.LoginResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tokens handed out by the test itself: {@link #issue} makes a live token, {@link #revoke} kills it. */
public final class FakeAuthenticator implements Authenticator {
    private final Map<String, Principal> live = new ConcurrentHashMap<>();

    public String issue(String token, String username, String... roles) {
        live.put(token, new Principal(username, List.of(roles)));
        return token;
    }

    public void revoke(String token) {
        live.remove(token);
    }

    @Override
    public LoginResult login(String username, String password) {
        throw new PydbException(ErrorCode.UNAUTHENTICATED, "wrong username or password");
    }

    @Override
    public Principal authenticate(String token) {
        Principal principal = live.get(token);
        if (principal == null) {
            throw new PydbException(ErrorCode.UNAUTHENTICATED, "invalid or expired token");
        }
        return principal;
    }

    @Override
    public void logout(String token) {
        if (live.remove(token) == null) {
            throw new PydbException(ErrorCode.UNAUTHENTICATED, "invalid or expired token");
        }
    }
}
