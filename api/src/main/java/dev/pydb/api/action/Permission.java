package dev.pydb.api.action;

/** What a caller needs for an action. Roles: {@code admin}, {@code readWrite:<db>}, {@code read:<db>}, {@code <db>} may be {@code *}. */
public enum Permission {
    /** Anyone, logged in or not (PING, LOGIN). */
    NONE,
    /** Any logged-in user. */
    AUTHENTICATED,
    /** Read access to the request's {@code db}: {@code read:<db>}, {@code readWrite:<db>} or admin. */
    READ,
    /** Write access to the request's {@code db}: {@code readWrite:<db>} or admin. */
    WRITE,
    /** The {@code admin} role. */
    ADMIN
}
