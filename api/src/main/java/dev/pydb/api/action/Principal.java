package dev.pydb.api.action;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** An authenticated user: the username and the roles from the environment file. */
public record Principal(String username, List<String> roles) {
    public Principal {
        requireNonNull(username, "username is null");
        roles = List.copyOf(roles);
    }

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    /** Whether the roles allow reading {@code db}. */
    public boolean canRead(String db) {
        return isAdmin() || hasRole("read", db) || hasRole("readWrite", db);
    }

    /** Whether the roles allow writing {@code db}. */
    public boolean canWrite(String db) {
        return isAdmin() || hasRole("readWrite", db);
    }

    private boolean hasRole(String kind, String db) {
        return roles.contains(kind + ":" + db) || roles.contains(kind + ":*");
    }

    @Override
    public String toString() {
        return "Principal[" + username + ", roles=" + roles + "]";
    }
}
