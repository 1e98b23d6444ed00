package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.action.RequestFields;
import dev.pydb.engine.backup.BackupJobs;
import dev.pydb.engine.dispatch.Services;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * BACKUP {@code {"to": "/absolute/folder"}}: takes a point-in-time snapshot of the storage at once
 * and writes it into the folder (on the server's machine; absent or empty) in the background,
 * while writes go on. Answers the job's status as BACKUP_STATUS does. Admin only.
 */
public final class BackupAction implements ActionHandler {
    @Override
    public String action() {
        return "BACKUP";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        String to = RequestFields.requiredString(request, "to");
        Path folder;
        try {
            folder = Path.of(to);
        } catch (InvalidPathException e) {
            throw PydbException.badRequest("'to' is not a valid path: " + e.getMessage());
        }
        if (!folder.isAbsolute()) {
            throw PydbException.badRequest("'to' must be an absolute path on the server's machine, was '" + to + "'");
        }
        BackupJobs.Status status = Services.require(context, BackupJobs.class).start(folder.normalize());
        return BackupStatusAction.toJson(context, status);
    }
}
