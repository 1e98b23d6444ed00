package dev.pydb.storage.toolkit.wal;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.storage.toolkit.file.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replay at open: reads the log with {@link WalReader}, refuses the start on damage
 * ({@code UNAVAILABLE} naming the file and offset), and only once everything was read cuts a torn
 * tail (WARN naming the file, the offset and the bytes cut), deletes a torn last header and
 * removes obsolete segments.
 */
final class WalReplay implements WalReader.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);

    private final String who;
    private final List<Path> obsolete = new ArrayList<>();
    private Path tornHeader;
    private Path tornTailFile;
    private long tornTailOffset;

    private WalReplay(String who) {
        this.who = who;
    }

    /** Replays {@code directory} into {@code handler} and repairs the torn end; {@code UNAVAILABLE} on damage. */
    static WalReader.Outcome run(Path directory, String who, long afterSequence, RecordHandler handler) throws IOException {
        WalReplay replay = new WalReplay(who);
        WalReader.Outcome outcome = WalReader.read(directory, afterSequence, handler, replay);
        replay.repair(directory);
        return outcome;
    }

    @Override
    public void obsolete(Path segment) {
        obsolete.add(segment);
    }

    @Override
    public void tornHeader(Path segment, long size, String problem) {
        LOG.warn("{}: deleting {}: a segment created by a crash before its header was written ({} bytes: {})", who, segment,
                size, problem);
        tornHeader = segment;
    }

    @Override
    public void tornTail(Path segment, long offset, long bytes, String problem) {
        LOG.warn("{}: cutting the torn last record of {} at offset {} ({} bytes cut: {}); it was never acknowledged", who,
                segment, offset, bytes, problem);
        tornTailFile = segment;
        tornTailOffset = offset;
    }

    @Override
    public void damage(Path segment, long offset, String problem) {
        throw new PydbException(ErrorCode.UNAVAILABLE, who + ": the write-ahead log " + segment + " is damaged at offset "
                + offset + ": " + problem + "; the start is refused so that no acknowledged write is lost silently:"
                + " restore the storage from a backup (bin/pydb verify lists the damage)");
    }

    @Override
    public void badRecord(WalRecord record, CorruptRecordException e) {
        throw new PydbException(ErrorCode.UNAVAILABLE, who + ": the write-ahead log " + record.segment()
                + " holds an invalid record at offset " + record.offset() + " (record " + record.sequence() + "): "
                + e.getMessage() + "; its checksum matches, so it is no torn write: restore the storage from a backup");
    }

    @Override
    public void foreignFile(Path file) {
        LOG.warn("{}: ignoring {} in the write-ahead log folder: not a segment", who, file);
    }

    private void repair(Path directory) throws IOException {
        if (tornTailFile != null) {
            try (FileChannel channel = FileChannel.open(tornTailFile, StandardOpenOption.WRITE)) {
                channel.truncate(tornTailOffset);
                channel.force(true);
            }
        }
        boolean deleted = false;
        for (Path segment : obsolete) {
            LOG.debug("{}: deleting {}: every record in it is checkpointed", who, segment);
            deleted |= Files.deleteIfExists(segment);
        }
        if (tornHeader != null) {
            deleted |= Files.deleteIfExists(tornHeader);
        }
        if (deleted) {
            DurableFiles.syncDirectory(directory);
        }
    }
}
