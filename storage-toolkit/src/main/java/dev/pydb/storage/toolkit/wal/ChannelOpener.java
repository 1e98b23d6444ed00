package dev.pydb.storage.toolkit.wal;

import dev.pydb.storage.toolkit.file.FilePermissions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * How the log opens its segment files for writing: {@link #DEFAULT} in production (a new file
 * gets mode {@code 0600}); tests pass one that injects faults (a full disk, a failing fsync).
 */
@FunctionalInterface
public interface ChannelOpener {
    ChannelOpener DEFAULT = FilePermissions::open;

    FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException;
}
