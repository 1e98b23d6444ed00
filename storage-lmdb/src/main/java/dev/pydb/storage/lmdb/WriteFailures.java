package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.storage.toolkit.file.DiskFailures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;

/**
 * What a caller gets when an LMDB write transaction fails, by the team's rule for disk full and
 * failed syncs:
 * <ul>
 *   <li><b>No room</b> ({@code MDB_MAP_FULL}; the file cannot grow: {@code ENOSPC},
 *       {@code EDQUOT}; or {@code EIO} while the file system is full, which is what LMDB answers
 *       when a {@code pwrite} of its pages was cut short by the full disk):
 *       {@code LIMIT_EXCEEDED} naming the map or the disk and the path (a full disk in the words of
 *       the toolkit's {@link DiskFailures}, as every backend). LMDB aborts the
 *       transaction before it writes the meta page, so nothing of it became durable or visible,
 *       and the next transaction starts clean: writes succeed again once there is room.</li>
 *   <li><b>An I/O failure</b> ({@code EIO} with room on the disk, or any other errno): the page
 *       write or the {@code fdatasync} of the commit failed, and LMDB passes on the same errno for
 *       both. After a failed sync the page cache cannot be trusted (PostgreSQL's "fsyncgate"), so
 *       the storage {@linkplain #breaksStorage breaks}: every later write is refused with
 *       {@code UNAVAILABLE} until a restart; reads go on. {@code MDB_PANIC} (LMDB could not write
 *       its meta page and refuses every further transaction) breaks it too.</li>
 *   <li>{@code MDB_TXN_FULL}: {@code LIMIT_EXCEEDED}, smaller batches fit.</li>
 * </ul>
 */
final class WriteFailures {
    /** Below this many usable bytes on its file system, an {@code EIO} of a write counts as a full disk. */
    static final long FULL_DISK_BYTES = 1L << 20;

    private final Path dataFile;
    private final long mapSizeBytes;

    WriteFailures(Path dataFile, long mapSizeBytes) {
        this.dataFile = requireNonNull(dataFile, "dataFile is null");
        this.mapSizeBytes = mapSizeBytes;
    }

    /** Whether the failure leaves the storage unable to take writes until a restart. */
    boolean breaksStorage(Throwable failure) {
        if (failure instanceof LmdbNativeException.PanicException) {
            return true;
        }
        if (failure instanceof LmdbNativeException.ConstantDerivedException e) {
            return !isNoSpace(e);
        }
        return false;
    }

    /** The error for the callers whose transaction failed with {@code failure}. */
    PydbException answer(Throwable failure) {
        if (failure instanceof PydbException pydb) {
            return pydb;
        }
        if (failure instanceof Env.MapFullException) {
            return new PydbException(ErrorCode.LIMIT_EXCEEDED, "map full: the lmdb map of " + dataFile + " is full (map_size_bytes="
                    + mapSizeBytes + "); nothing of this write was applied; delete documents, or raise"
                    + " storage.options.map_size_bytes and restart", failure);
        }
        if (failure instanceof Txn.TxFullException) {
            return new PydbException(ErrorCode.LIMIT_EXCEEDED,
                    "the write is too large for one lmdb transaction; split it into smaller batches", failure);
        }
        if (failure instanceof LmdbNativeException.PanicException) {
            return new PydbException(ErrorCode.UNAVAILABLE, "LMDB could not write the meta page of " + dataFile
                    + " and refuses every further transaction (MDB_PANIC); restart the server", failure);
        }
        if (failure instanceof LmdbNativeException.ConstantDerivedException e) {
            if (isNoSpace(e)) {
                return DiskFailures.diskFull(LmdbStorage.NAME, dataFile, new IOException("LMDB's commit failed with " + errno(e)
                        + ", " + usableBytes() + " bytes usable on the file system", e));
            }
            return new PydbException(ErrorCode.UNAVAILABLE, "the lmdb commit to " + dataFile + " failed with " + errno(e)
                    + " while its file system has " + usableBytes() + " bytes usable: a page write or fdatasync failed,"
                    + " so the page cache can no longer be trusted; writes are refused until the server is restarted",
                    failure);
        }
        return new PydbException(ErrorCode.UNAVAILABLE, "storage write failed: " + failure.getMessage(), failure);
    }

    private boolean isNoSpace(LmdbNativeException.ConstantDerivedException e) {
        if (errnoName(e).equals("EIO")) {
            long usable = usableBytes();
            return usable >= 0 && usable < FULL_DISK_BYTES;
        }
        return DiskFailures.isNoSpace(e);
    }

    /** The usable bytes of the data file's file system, or -1 if unknown (not counted as full). */
    private long usableBytes() {
        try {
            return Files.getFileStore(dataFile).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The errno's name: lmdbjava words the message "Platform constant error code: NAME description (n)",
     * with the name of this platform's errno (jnr-constants), so no number is hard-coded here.
     */
    private static String errnoName(LmdbNativeException.ConstantDerivedException e) {
        String message = String.valueOf(e.getMessage());
        String prefix = "Platform constant error code: ";
        int start = message.indexOf(prefix);
        if (start < 0) {
            return "";
        }
        start += prefix.length();
        int end = message.indexOf(' ', start);
        return end < 0 ? message.substring(start) : message.substring(start, end);
    }

    private static String errno(LmdbNativeException.ConstantDerivedException e) {
        return errnoName(e) + " (" + e.getResultCode() + ")";
    }
}
