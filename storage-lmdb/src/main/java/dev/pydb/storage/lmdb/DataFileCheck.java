package dev.pydb.storage.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;

/**
 * Checks {@code data.mdb} against its own header before LMDB maps it. LMDB maps the file as it
 * is and trusts its meta pages: reading a page past the real end of a truncated file raises
 * SIGBUS, which kills the JVM. This check reads the file with positional reads instead
 * ({@link LmdbDataFile}):
 * <ol>
 *   <li>both meta pages must be whole and valid: marked as meta pages 0 and 1, LMDB's magic
 *       number and data version, a sane page size, the same in both; their transaction ids
 *       {@code n - 1} and {@code n} (or both 0);</li>
 *   <li>the newer one (the one LMDB uses) must agree with itself: last page within its map size,
 *       tree roots within the pages in use;</li>
 *   <li>the file must hold every page LMDB can reach. It usually holds all pages up to the last
 *       page in use, but not always: LMDB never writes a page that a transaction allocated and
 *       freed again, so a healthy file can end up to dozens of pages short of its last page (a
 *       test of random writes left 40% of commits so). Then the pages past the end must all be
 *       free (listed in the free-page tree); if not, every tree is walked, and the file is
 *       refused only if a page a tree reaches (overflow runs and named databases included) lies
 *       past the end.</li>
 * </ol>
 * A read-only check: nothing is written. LMDB reads only pages it can reach from the newer meta
 * page, and refuses (with an error, not a crash) any page number past the last page in use.
 */
final class DataFileCheck {
    /** The most missing pages whose freedom is checked with a bit set; more go straight to the full walk. */
    private static final long MAX_FREE_CHECK_PAGES = 1 << 24;

    private DataFileCheck() {}

    /**
     * The outcome: {@code newest} is the meta page LMDB will use (empty for a file that does not
     * exist yet), {@code problem} what is wrong (empty if the file may be opened), {@code note} what
     * the check saw (for the log), e.g. that the file ends before its last page but only free pages
     * are missing.
     */
    record Result(Path file, Optional<MetaPage> newest, Optional<String> problem, String note) {
        boolean ok() {
            return problem.isEmpty();
        }
    }

    /** Checks {@code data.mdb} in {@code directory}; a missing file is fine (LMDB creates it). */
    static Result check(Path directory) {
        Path path = directory.resolve(LmdbDataFile.NAME);
        if (!Files.exists(path)) {
            return new Result(path, Optional.empty(), Optional.empty(), "no data file yet");
        }
        try (LmdbDataFile file = LmdbDataFile.open(path)) {
            return check(file);
        } catch (IOException e) {
            return damaged(path, null, "it cannot be read: " + e);
        }
    }

    private static Result check(LmdbDataFile file) throws IOException {
        Path path = file.path();
        long size = file.size();
        if (size == 0) {
            return damaged(path, null, "it is empty (0 bytes): it was truncated, or the very first start was killed"
                    + " while creating it (then move the folder away to start with an empty store)");
        }
        MetaPage meta0 = readMeta(file, 0, 0);
        if (meta0 == null) {
            return damaged(path, null, "it is " + size + " bytes long and ends inside meta page 0 ("
                    + MetaPage.BYTES + " bytes of header): it was truncated");
        }
        Optional<String> problem = meta0.problem();
        if (problem.isPresent()) {
            return damaged(path, null, problem.get());
        }
        MetaPage meta1 = readMeta(file, 1, meta0.pageSize());
        if (meta1 == null) {
            return damaged(path, null, "it is " + size + " bytes long and ends inside meta page 1 (which starts at byte "
                    + meta0.pageSize() + "): it was truncated");
        }
        problem = meta1.problem();
        if (problem.isPresent()) {
            return damaged(path, null, problem.get());
        }
        if (meta1.pageSize() != meta0.pageSize()) {
            return damaged(path, null, "meta page 0 says pages have " + meta0.pageSize() + " bytes, meta page 1 says "
                    + meta1.pageSize());
        }
        long t0 = meta0.txnId();
        long t1 = meta1.txnId();
        boolean pair = (t0 == 0 && t1 == 0) || (t0 + 1 == t1 && (t1 & 1) == 1) || (t1 + 1 == t0 && (t0 & 1) == 0);
        if (!pair) {
            return damaged(path, null, "meta page 0 holds transaction " + Long.toUnsignedString(t0) + " and meta page 1 "
                    + Long.toUnsignedString(t1) + ": LMDB writes transaction n into meta page n mod 2, so they must be"
                    + " consecutive (a damaged transaction id would make LMDB use the wrong one)");
        }
        MetaPage newest = Long.compareUnsigned(t1, t0) > 0 ? meta1 : meta0;
        problem = newest.inconsistency();
        if (problem.isPresent()) {
            return damaged(path, newest, problem.get());
        }
        long pagesInFile = size / newest.pageSize();
        if (pagesInFile > newest.lastPage()) {
            return new Result(path, Optional.of(newest), Optional.empty(), "holds every page up to its last page "
                    + newest.lastPage());
        }
        String shortBy = "it is " + size + " bytes long (" + pagesInFile + " whole pages of " + newest.pageSize()
                + " bytes) but its newer meta page (page " + newest.index() + ", transaction "
                + Long.toUnsignedString(newest.txnId()) + ") says pages up to " + newest.lastPage() + " are in use";
        if (onlyFreePagesMissing(file, newest, pagesInFile)) {
            return new Result(path, Optional.of(newest), Optional.empty(), shortBy
                    + "; every page past the end is free (LMDB leaves pages freed in the transaction that allocated"
                    + " them unwritten)");
        }
        Optional<String> unreachable = firstUnusablePage(file, newest);
        if (unreachable.isPresent()) {
            return damaged(path, newest, shortBy + ", and " + unreachable.get() + ": the file was cut short");
        }
        return new Result(path, Optional.of(newest), Optional.empty(), shortBy
                + "; no tree reaches a page past the end");
    }

    /** Meta page {@code index}, or null if the file ends inside it. */
    private static MetaPage readMeta(LmdbDataFile file, int index, long pageSize) throws IOException {
        ByteBuffer page = file.read(index * pageSize, MetaPage.BYTES);
        return page.remaining() < MetaPage.BYTES ? null : MetaPage.parse(index, page);
    }

    /** Whether every page from {@code pagesInFile} to the last page is listed in the free-page tree. */
    private static boolean onlyFreePagesMissing(LmdbDataFile file, MetaPage meta, long pagesInFile) throws IOException {
        long missing = meta.lastPage() - pagesInFile + 1;
        if (missing > MAX_FREE_CHECK_PAGES || meta.freeTree().isEmpty()) {
            return false;
        }
        BitSet free = new BitSet((int) missing);
        boolean[] damaged = {false};
        new PageTree(file, meta.pageSize(), meta.lastPage()).walk("free", meta.freeTree().root(), new PageTree.Visitor() {
            @Override
            public void leaf(String tree, PageTree.LeafNode node) {
                // a free-page record: the ids of pages freed by one transaction, count first (u64 each)
                ByteBuffer ids = ByteBuffer.wrap(node.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long count = ids.remaining() >= Long.BYTES ? ids.getLong(0) : -1;
                if (count < 0 || count > ids.remaining() / Long.BYTES - 1) {
                    damaged[0] = true;
                    return;
                }
                for (int i = 1; i <= count; i++) {
                    long page = ids.getLong(i * Long.BYTES);
                    if (page >= pagesInFile && page <= meta.lastPage()) {
                        free.set((int) (page - pagesInFile));
                    }
                }
            }

            @Override
            public void damage(String tree, long page, String problem) {
                damaged[0] = true;
            }
        });
        return !damaged[0] && free.cardinality() == missing;
    }

    /** The first page that a tree reaches but the file does not hold (or that is malformed), if any. */
    private static Optional<String> firstUnusablePage(LmdbDataFile file, MetaPage meta) throws IOException {
        String[] first = {null};
        PageTree.Visitor visitor = new PageTree.Visitor() {
            @Override
            public void damage(String tree, long page, String problem) {
                if (first[0] == null) {
                    first[0] = problem + " (in the " + (tree.equals("free") || tree.equals("main") ? tree : "'" + tree + "'")
                            + " tree)";
                }
            }
        };
        PageTree pages = new PageTree(file, meta.pageSize(), meta.lastPage());
        pages.walk("free", meta.freeTree().root(), visitor);
        if (first[0] == null) {
            pages.walk("main", meta.mainTree().root(), visitor);
        }
        return Optional.ofNullable(first[0]);
    }

    private static Result damaged(Path path, MetaPage newest, String problem) {
        return new Result(path, Optional.ofNullable(newest), Optional.of(path + " is damaged: " + problem), problem);
    }
}
