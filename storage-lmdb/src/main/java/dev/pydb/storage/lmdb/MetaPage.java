package dev.pydb.storage.lmdb;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One of the two meta pages of {@code data.mdb} (pages 0 and 1), as LMDB 0.9 writes them: after
 * the 16-byte page header, {@code MDB_meta}:
 * <pre>
 *   16  mm_magic    u32  0xBEEFC0DE
 *   20  mm_version  u32  1 (MDB_DATA_VERSION)
 *   24  mm_address  u64  (fixed maps only)
 *   32  mm_mapsize  u64
 *   40  mm_dbs[0]   48 bytes, the free-page tree; its md_pad (u32 at 40) is the page size
 *                   (mm_psize) and its md_flags (u16 at 44) the environment flags
 *   88  mm_dbs[1]   48 bytes, the main tree (which holds the named databases)
 *  136  mm_last_pg  u64  the last page in use
 *  144  mm_txnid    u64  the transaction that wrote this meta page
 * </pre>
 * Each {@code MDB_db}: {@code md_pad} u32, {@code md_flags} u16, {@code md_depth} u16, then
 * branch, leaf and overflow page counts, entries and {@code md_root} (u64 each; the root is
 * {@code P_INVALID}, all ones, for an empty tree). A commit writes the meta page of its
 * transaction id's parity, so the two pages hold transactions {@code n - 1} and {@code n}, or
 * both 0 in a new file; LMDB uses the one with the higher id.
 */
record MetaPage(int index, long pageNumber, int pageFlags, int magic, int version, long mapSize, long pageSize,
        Tree freeTree, Tree mainTree, long lastPage, long txnId) {
    static final int MAGIC = 0xBEEFC0DE;
    static final int DATA_VERSION = 1;
    /** Bytes of a meta page that LMDB reads: the page header and {@code MDB_meta}. */
    static final int BYTES = 152;
    static final long NO_PAGE = -1L;
    static final long MIN_PAGE_SIZE = 512;
    /** LMDB 0.9's MAX_PAGESIZE (PAGEBASE is 0 outside MDB_DEVEL builds). */
    static final long MAX_PAGE_SIZE = 0x8000;

    /** The root and depth of one B+tree ({@code MDB_db}). */
    record Tree(int depth, long entries, long root) {
        boolean isEmpty() {
            return root == NO_PAGE;
        }
    }

    /** Parses meta page {@code index} from the {@link #BYTES} bytes of {@code page} (little-endian). */
    static MetaPage parse(int index, ByteBuffer page) {
        return new MetaPage(index, page.getLong(0), Short.toUnsignedInt(page.getShort(10)), page.getInt(16),
                page.getInt(20), page.getLong(32), Integer.toUnsignedLong(page.getInt(40)), tree(page, 40),
                tree(page, 88), page.getLong(136), page.getLong(144));
    }

    private static Tree tree(ByteBuffer page, int offset) {
        return new Tree(Short.toUnsignedInt(page.getShort(offset + 6)), page.getLong(offset + 32), page.getLong(offset + 40));
    }

    /** What is wrong with this page on its own (LMDB refuses or misreads such a page), or empty. */
    Optional<String> problem() {
        if ((pageFlags & LmdbDataFile.P_META) == 0) {
            return Optional.of(String.format("meta page %d is not marked as a meta page (page flags 0x%04x)", index, pageFlags));
        }
        if (pageNumber != index) {
            return Optional.of("meta page " + index + " is marked as page " + Long.toUnsignedString(pageNumber));
        }
        if (magic != MAGIC) {
            return Optional.of(String.format("meta page %d has the magic number 0x%08x, not LMDB's 0x%08x", index, magic, MAGIC));
        }
        if (version != DATA_VERSION) {
            return Optional.of("meta page " + index + " has data version " + Integer.toUnsignedString(version)
                    + ", not LMDB 0.9's " + DATA_VERSION);
        }
        if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Long.bitCount(pageSize) != 1) {
            return Optional.of("meta page " + index + " has the page size " + pageSize + " (a power of two from "
                    + MIN_PAGE_SIZE + " to " + MAX_PAGE_SIZE + " was expected)");
        }
        return Optional.empty();
    }

    /**
     * What is wrong with this page as the one LMDB will use: its last page, map size and tree
     * roots must agree with each other. Checked after {@link #problem()}.
     */
    Optional<String> inconsistency() {
        String which = "meta page " + index + " (transaction " + Long.toUnsignedString(txnId) + ")";
        if (lastPage < 1 || lastPage > Long.MAX_VALUE / pageSize - 1) {
            return Optional.of(which + " has the impossible last page " + Long.toUnsignedString(lastPage));
        }
        if (mapSize < (lastPage + 1) * pageSize) {
            return Optional.of(which + " says the data reaches page " + lastPage + " (" + (lastPage + 1) * pageSize
                    + " bytes), beyond its own map size of " + Long.toUnsignedString(mapSize) + " bytes");
        }
        for (Tree tree : new Tree[] {freeTree, mainTree}) {
            String name = tree == freeTree ? "free-page" : "main";
            if (!tree.isEmpty() && (tree.root() < 2 || tree.root() > lastPage)) {
                return Optional.of(which + " has its " + name + " tree's root at page " + Long.toUnsignedString(tree.root())
                        + ", outside pages 2 to " + lastPage);
            }
            if (tree.depth() > PageTree.MAX_DEPTH) {
                return Optional.of(which + " has a " + name + " tree " + tree.depth() + " levels deep (LMDB allows "
                        + PageTree.MAX_DEPTH + ")");
            }
        }
        return Optional.empty();
    }

    /** The bytes the data reaches: pages 0 to {@link #lastPage()}. */
    long dataBytes() {
        return (lastPage + 1) * pageSize;
    }
}
