package dev.pydb.storage.toolkit.file;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one rule every backend applies to a failed write (docs/STORAGE-TOOLKIT.md): a write that
 * failed for lack of space ({@code ENOSPC}, or a quota, {@code EDQUOT}) made nothing durable and
 * is retryable, answered {@code LIMIT_EXCEEDED} "disk full: &lt;path&gt;"; a failed
 * {@code fsync}/{@code fdatasync} means the page cache can no longer be trusted, answered
 * {@code UNAVAILABLE} until a restart recovers from the log. Stateless and thread-safe.
 */
public final class DiskFailures {
    private DiskFailures() {}

    /** Whether {@code e} (or a cause of it) says the disk or the user's quota is full. */
    public static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = t instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : t.getMessage();
            if (text != null) {
                String lower = text.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")
                        || lower.contains("enospc") || lower.contains("edquot")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code LIMIT_EXCEEDED} "&lt;who&gt;: disk full: &lt;path&gt; (…)": nothing was made durable, retry once there is room. */
    public static PydbException diskFull(String who, Path path, IOException cause) {
        requireNonNull(who, "who is null");
        requireNonNull(path, "path is null");
        return new PydbException(ErrorCode.LIMIT_EXCEEDED, who + ": disk full: " + path + " (" + describe(cause)
                + "); nothing of this write was stored; writes succeed again once there is room", cause);
    }

    /** {@code UNAVAILABLE} after a failed fsync: refuse writes until a restart recovers from the log. */
    public static PydbException syncFailed(String who, Path path, IOException cause) {
        requireNonNull(who, "who is null");
        requireNonNull(path, "path is null");
        return new PydbException(ErrorCode.UNAVAILABLE, who + ": fsync of " + path + " failed (" + describe(cause)
                + "); writes are refused: restart the server to recover from the log", cause);
    }

    /** The exception's class and message, for error messages and logs. */
    public static String describe(Throwable e) {
        if (e == null) {
            return "unknown cause";
        }
        String message = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
