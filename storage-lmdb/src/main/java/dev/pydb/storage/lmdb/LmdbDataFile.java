package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * LMDB's data file ({@code data.mdb}) read with positional reads, never through a memory map, so
 * that a short or damaged file can be examined without the SIGBUS a map raises past the end of
 * the file. Opened read-only: nothing here ever changes the file.
 *
 * <p>The layout is LMDB 0.9's ({@code mdb.c} of 0.9.33, the version lmdbjava bundles) for 64-bit
 * little-endian builds, the only ones lmdbjava ships (x86-64, aarch64). Every page starts with a
 * 16-byte header: {@code mp_pgno} (u64), {@code mp_pad} (u16), {@code mp_flags} (u16), then
 * {@code mp_lower}, {@code mp_upper} (u16 each; an overflow page has instead its page count,
 * u32, at byte 12). Pages 0 and 1 are the two meta pages ({@link MetaPage}).
 */
final class LmdbDataFile implements AutoCloseable {
    static final String NAME = "data.mdb";
    static final int PAGE_HEADER_BYTES = 16;
    static final int P_BRANCH = 0x01;
    static final int P_LEAF = 0x02;
    static final int P_OVERFLOW = 0x04;
    static final int P_META = 0x08;
    static final int P_LEAF2 = 0x20;

    private final Path path;
    private final FileChannel channel;
    private final long size;

    private LmdbDataFile(Path path, FileChannel channel, long size) {
        this.path = requireNonNull(path, "path is null");
        this.channel = requireNonNull(channel, "channel is null");
        this.size = size;
    }

    /** Opens {@code file} for reading. */
    static LmdbDataFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new LmdbDataFile(file, channel, channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** The file's length in bytes when it was opened. */
    long size() {
        return size;
    }

    /**
     * Up to {@code length} bytes at {@code offset}, little-endian, positioned at 0; fewer
     * ({@code remaining()} says how many) where the file ends.
     */
    ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n < 0) {
                break;
            }
        }
        return buffer.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
