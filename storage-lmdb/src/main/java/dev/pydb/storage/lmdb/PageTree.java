package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Walks LMDB's B+trees in {@code data.mdb} with positional reads ({@link LmdbDataFile}), checking
 * every page it reaches before using it, so a missing or malformed page is reported instead of
 * crashing the JVM. Layout (LMDB 0.9, {@code mdb.c}): after the 16-byte page header come
 * {@code (mp_lower - 16) / 2} node offsets (u16, from the page start); a node is {@code mn_lo},
 * {@code mn_hi}, {@code mn_flags}, {@code mn_ksize} (u16 each), the key, then in a leaf the data.
 * In a branch page the child's page number is {@code mn_lo | mn_hi << 16 | mn_flags << 32}; in a
 * leaf page the data size is {@code mn_lo | mn_hi << 16}, and the flag {@code F_BIGDATA} says the
 * data is the 8-byte number of its first overflow page, {@code F_SUBDATA} that it is the 48-byte
 * {@code MDB_db} of a named database (in the main tree) whose tree is walked as well.
 *
 * <p>Keys are visited in order. Pages are read one at a time; a tree is at most
 * {@link #MAX_DEPTH} levels deep, and a page reached twice is damage (so damage cannot loop).
 */
final class PageTree {
    /** LMDB's CURSOR_STACK. */
    static final int MAX_DEPTH = 32;
    static final int F_BIGDATA = 0x01;
    static final int F_SUBDATA = 0x02;
    static final int F_DUPDATA = 0x04;
    private static final int NODE_HEADER_BYTES = 8;
    private static final int DB_RECORD_BYTES = 48;
    private static final int DB_ENTRIES_OFFSET = 32;
    private static final int DB_ROOT_OFFSET = 40;

    /** What the walk found. Leaf entries arrive in key order within each tree. */
    interface Visitor {
        /** A node of a leaf page of {@code tree} ({@code "free"}, {@code "main"} or a named database). */
        default void leaf(String tree, LeafNode node) {}

        /** Whether to walk the tree of the named database {@code database} (found in the main tree). */
        default boolean descendInto(String database) {
            return true;
        }

        /**
         * A page of {@code tree} that cannot be used ({@code page}: its number, or the first page of
         * an overflow run). Nothing below it is visited; the walk goes on with its siblings.
         */
        void damage(String tree, long page, String problem);
    }

    /** A node of a leaf page: its key and flags; the value is read on demand with {@link #value()}. */
    final class LeafNode {
        private final byte[] key;
        private final int flags;
        private final int dataSize;
        private final long pageNumber;
        private final ByteBuffer page;
        private final int dataOffset;
        private final long overflowPage;

        private LeafNode(byte[] key, int flags, int dataSize, long pageNumber, ByteBuffer page, int dataOffset,
                long overflowPage) {
            this.key = key;
            this.flags = flags;
            this.dataSize = dataSize;
            this.pageNumber = pageNumber;
            this.page = page;
            this.dataOffset = dataOffset;
            this.overflowPage = overflowPage;
        }

        byte[] key() {
            return key;
        }

        int flags() {
            return flags;
        }

        /** The first overflow page of the value, or -1 if the value is in the leaf page. */
        long overflowPage() {
            return overflowPage;
        }

        /** Where the value's first byte lies in the file. */
        long valueOffset() {
            return overflowPage < 0 ? pageNumber * pageSize + dataOffset
                    : overflowPage * pageSize + LmdbDataFile.PAGE_HEADER_BYTES;
        }

        /** The value's bytes (read from the overflow pages, which the walk has checked, if it is big). */
        byte[] value() {
            byte[] value = new byte[dataSize];
            if (overflowPage < 0) {
                page.get(dataOffset, value);
                return value;
            }
            try {
                ByteBuffer data = file.read(overflowPage * pageSize + LmdbDataFile.PAGE_HEADER_BYTES, dataSize);
                if (data.remaining() < dataSize) {
                    throw new IllegalStateException("the overflow pages of a checked value end early");
                }
                data.get(value);
                return value;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final LmdbDataFile file;
    private final long pageSize;
    private final long lastPage;
    private final long pagesInFile;
    private final PageSet reached;

    /** The number of entries in the {@code MDB_db} record of a named database (the value of its node in the main tree). */
    static long entriesOf(byte[] databaseRecord) {
        return ByteBuffer.wrap(databaseRecord).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(DB_ENTRIES_OFFSET);
    }

    /**
     * A walker of the trees of {@code file} as of a meta page with {@code pageSize} and
     * {@code lastPage}: a page is usable when it is at most {@code lastPage} and wholly inside the file.
     */
    PageTree(LmdbDataFile file, long pageSize, long lastPage) {
        this.file = requireNonNull(file, "file is null");
        this.pageSize = pageSize;
        this.lastPage = lastPage;
        this.pagesInFile = file.size() / pageSize;
        this.reached = new PageSet(Math.min(lastPage + 1, pagesInFile));
    }

    /** Walks the tree of {@code root} (nothing for {@link MetaPage#NO_PAGE}), and the named databases it holds. */
    void walk(String tree, long root, Visitor visitor) throws IOException {
        requireNonNull(tree, "tree is null");
        requireNonNull(visitor, "visitor is null");
        if (root != MetaPage.NO_PAGE) {
            walk(tree, root, 1, visitor);
        }
    }

    private void walk(String tree, long pageNumber, int depth, Visitor visitor) throws IOException {
        if (depth > MAX_DEPTH) {
            visitor.damage(tree, pageNumber, "the tree is more than " + MAX_DEPTH + " levels deep at page " + pageNumber);
            return;
        }
        String missing = unusable(pageNumber, 1);
        if (missing != null) {
            visitor.damage(tree, pageNumber, missing);
            return;
        }
        ByteBuffer page = file.read(pageNumber * pageSize, (int) pageSize);
        int flags = Short.toUnsignedInt(page.getShort(10));
        String malformed = malformed(page, pageNumber, flags);
        if (malformed != null) {
            visitor.damage(tree, pageNumber, malformed);
            return;
        }
        int count = (Short.toUnsignedInt(page.getShort(12)) - LmdbDataFile.PAGE_HEADER_BYTES) / 2;
        int upper = Short.toUnsignedInt(page.getShort(14));
        boolean branch = (flags & LmdbDataFile.P_BRANCH) != 0;
        for (int i = 0; i < count; i++) {
            int node = Short.toUnsignedInt(page.getShort(LmdbDataFile.PAGE_HEADER_BYTES + 2 * i));
            if (node < upper || node + NODE_HEADER_BYTES > pageSize) {
                visitor.damage(tree, pageNumber, "node " + i + " of page " + pageNumber + " is at offset " + node
                        + ", outside the node area " + upper + " to " + pageSize);
                return;
            }
            int lo = Short.toUnsignedInt(page.getShort(node));
            int hi = Short.toUnsignedInt(page.getShort(node + 2));
            int nodeFlags = Short.toUnsignedInt(page.getShort(node + 4));
            int keySize = Short.toUnsignedInt(page.getShort(node + 6));
            int keyOffset = node + NODE_HEADER_BYTES;
            if (keyOffset + keySize > pageSize) {
                visitor.damage(tree, pageNumber, "the key of node " + i + " of page " + pageNumber + " runs past the page");
                return;
            }
            if (branch) {
                long child = lo | (long) hi << 16 | (long) nodeFlags << 32;
                walk(tree, child, depth + 1, visitor);
                continue;
            }
            byte[] key = new byte[keySize];
            page.get(keyOffset, key);
            LeafNode leaf = leafNode(tree, page, pageNumber, i, key, nodeFlags, lo | hi << 16, keyOffset + keySize, visitor);
            if (leaf == null) {
                continue;
            }
            visitor.leaf(tree, leaf);
            if ((nodeFlags & F_SUBDATA) != 0) {
                String named = tree.equals("main") ? new String(key, StandardCharsets.UTF_8) : tree + " (duplicates)";
                ByteBuffer record = ByteBuffer.wrap(leaf.value()).order(page.order());
                long root = record.getLong(DB_ROOT_OFFSET);
                if (root != MetaPage.NO_PAGE && visitor.descendInto(named)) {
                    walk(named, root, 1, visitor);
                }
            }
        }
    }

    /** The leaf node, after checking where its data lies; null (and damage reported) if it cannot be read. */
    private LeafNode leafNode(String tree, ByteBuffer page, long pageNumber, int index, byte[] key, int nodeFlags,
            int dataSize, int dataOffset, Visitor visitor) throws IOException {
        if (dataSize < 0) {
            visitor.damage(tree, pageNumber, "node " + index + " of page " + pageNumber + " has an impossible data size");
            return null;
        }
        if ((nodeFlags & F_SUBDATA) != 0 && dataSize != DB_RECORD_BYTES) {
            visitor.damage(tree, pageNumber, "the database record in node " + index + " of page " + pageNumber + " has "
                    + dataSize + " bytes, not " + DB_RECORD_BYTES);
            return null;
        }
        if ((nodeFlags & F_BIGDATA) == 0) {
            if (dataOffset + (long) dataSize > pageSize) {
                visitor.damage(tree, pageNumber, "the data of node " + index + " of page " + pageNumber + " runs past the page");
                return null;
            }
            return new LeafNode(key, nodeFlags, dataSize, pageNumber, page, dataOffset, -1);
        }
        if (dataOffset + Long.BYTES > pageSize) {
            visitor.damage(tree, pageNumber, "the overflow page number of node " + index + " of page " + pageNumber
                    + " runs past the page");
            return null;
        }
        long first = page.getLong(dataOffset);
        String missing = outside(first, 1);
        if (missing != null) {
            visitor.damage(tree, first, missing + " (an overflow page of page " + pageNumber + ")");
            return null;
        }
        ByteBuffer header = file.read(first * pageSize, LmdbDataFile.PAGE_HEADER_BYTES);
        int flags = Short.toUnsignedInt(header.getShort(10));
        long pages = Integer.toUnsignedLong(header.getInt(12));
        if (header.getLong(0) != first || (flags & LmdbDataFile.P_OVERFLOW) == 0) {
            visitor.damage(tree, first, String.format("page %d, an overflow page of page %d, is marked as page %s with flags 0x%04x",
                    first, pageNumber, Long.toUnsignedString(header.getLong(0)), flags));
            return null;
        }
        if (pages < 1 || pages * pageSize - LmdbDataFile.PAGE_HEADER_BYTES < dataSize) {
            visitor.damage(tree, first, "the overflow run at page " + first + " has " + pages + " pages, too few for "
                    + dataSize + " bytes");
            return null;
        }
        missing = unusable(first, pages);
        if (missing != null) {
            visitor.damage(tree, first, missing + " (the overflow run of page " + pageNumber + ")");
            return null;
        }
        return new LeafNode(key, nodeFlags, dataSize, pageNumber, page, dataOffset, first);
    }

    /**
     * Why pages {@code first} to {@code first + count - 1} cannot be used (beyond the last page in
     * use, beyond the end of the file, or reached before), or null; marks them reached.
     */
    private String unusable(long first, long count) {
        String outside = outside(first, count);
        if (outside != null) {
            return outside;
        }
        for (long p = first; p < first + count; p++) {
            if (!reached.add(p)) {
                return "page " + p + " is reached twice";
            }
        }
        return null;
    }

    /** Why pages {@code first} to {@code first + count - 1} lie outside the pages in use or the file, or null. */
    private String outside(long first, long count) {
        if (first < 2 || first > lastPage || count > lastPage - first + 1) {
            return (count == 1 ? "page " + Long.toUnsignedString(first) : "pages " + first + " to " + (first + count - 1))
                    + " lie outside pages 2 to " + lastPage + " in use";
        }
        if (first + count > pagesInFile) {
            long beyond = Math.max(first, pagesInFile);
            return "page " + beyond + " lies beyond the end of the file (" + file.size() + " bytes, " + pagesInFile
                    + " whole pages of " + pageSize + ")";
        }
        return null;
    }

    private String malformed(ByteBuffer page, long pageNumber, int flags) {
        if (page.getLong(0) != pageNumber) {
            return "page " + pageNumber + " is marked as page " + Long.toUnsignedString(page.getLong(0));
        }
        if ((flags & (LmdbDataFile.P_BRANCH | LmdbDataFile.P_LEAF)) == 0
                || (flags & (LmdbDataFile.P_OVERFLOW | LmdbDataFile.P_META | LmdbDataFile.P_LEAF2)) != 0) {
            return String.format("page %d has the flags 0x%04x of no branch or leaf page", pageNumber, flags);
        }
        int lower = Short.toUnsignedInt(page.getShort(12));
        int upper = Short.toUnsignedInt(page.getShort(14));
        if (lower < LmdbDataFile.PAGE_HEADER_BYTES || lower > upper || upper > pageSize || (lower & 1) != 0) {
            return "page " + pageNumber + " has the impossible free space bounds " + lower + " to " + upper;
        }
        return null;
    }

    /** A set of page numbers below a limit, in chunks of 65536 pages allocated as they are used. */
    private static final class PageSet {
        private static final int CHUNK_BITS = 16;
        private final long[][] chunks;

        PageSet(long pages) {
            chunks = new long[(int) ((pages >>> CHUNK_BITS) + 1)][];
        }

        /** Adds {@code page} (below the limit); false if it was there. */
        boolean add(long page) {
            int chunk = (int) (page >>> CHUNK_BITS);
            if (chunks[chunk] == null) {
                chunks[chunk] = new long[1 << (CHUNK_BITS - 6)];
            }
            int word = (int) ((page & ((1 << CHUNK_BITS) - 1)) >>> 6);
            long bit = 1L << (page & 63);
            boolean added = (chunks[chunk][word] & bit) == 0;
            chunks[chunk][word] |= bit;
            return added;
        }
    }
}
