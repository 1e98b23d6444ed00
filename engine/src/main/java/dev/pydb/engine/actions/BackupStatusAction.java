package dev.pydb.engine.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;
import dev.pydb.api.action.RequestFields;
import dev.pydb.engine.backup.BackupJobs;
import dev.pydb.engine.dispatch.Services;

/**
 * BACKUP_STATUS {@code {"backup": id}}: {@code {"backup", "to", "state": RUNNING|DONE|FAILED,
 * "documents_done", "documents_total", "databases", "started_at", "finished_at"?, "error"?:
 * {"code", "message"}}}; {@code NOT_FOUND} for an unknown id. Admin only.
 */
public final class BackupStatusAction implements ActionHandler {
    @Override
    public String action() {
        return "BACKUP_STATUS";
    }

    @Override
    public Permission permission() {
        return Permission.ADMIN;
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        long id = RequestFields.optionalLong(request, "backup", 1, Long.MAX_VALUE)
                .orElseThrow(() -> PydbException.badRequest("missing field 'backup' (the id BACKUP answered)"));
        BackupJobs.Status status = Services.require(context, BackupJobs.class).status(id)
                .orElseThrow(() -> new PydbException(ErrorCode.NOT_FOUND, "no backup " + id + " on this server"));
        return toJson(context, status);
    }

    static ObjectNode toJson(RequestContext context, BackupJobs.Status status) {
        ObjectNode result = context.json().createObjectNode();
        result.put("backup", status.id());
        result.put("to", status.folder().toString());
        result.put("state", status.state().name());
        result.put("documents_done", status.documentsDone());
        result.put("documents_total", status.documentsTotal());
        result.put("databases", status.databases());
        result.put("started_at", status.startedAt().toString());
        if (status.finishedAt() != null) {
            result.put("finished_at", status.finishedAt().toString());
        }
        if (status.error() != null) {
            result.putObject("error").put("code", status.error().code().name()).put("message", status.error().getMessage());
        }
        return result;
    }
}
