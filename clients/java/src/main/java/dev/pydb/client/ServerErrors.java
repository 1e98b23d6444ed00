package dev.pydb.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Maps a response's {@code error} object to the {@link PydbClientException} subclass for its code. */
final class ServerErrors {
    private ServerErrors() {
    }

    static PydbClientException of(ObjectNode error) {
        return switch (error.path("code").asText("")) {
            case "NOT_FOUND" -> new NotFoundException(error);
            case "CONFLICT" -> new ConflictException(error);
            case "UNAUTHENTICATED" -> new UnauthenticatedException(error);
            case "FORBIDDEN" -> new ForbiddenException(error);
            case "DB_NOT_FOUND" -> new DbNotFoundException(error);
            case "DB_EXISTS" -> new DbExistsException(error);
            case "KEY_EXISTS" -> new KeyExistsException(error);
            case "BAD_REQUEST" -> new BadRequestException(error);
            case "UNKNOWN_ACTION" -> new UnknownActionException(error);
            case "LIMIT_EXCEEDED" -> new LimitExceededException(error);
            case "UNAVAILABLE" -> new UnavailableException(error);
            case "INTERNAL" -> new InternalServerException(error);
            default -> new PydbClientException(error);
        };
    }
}
