package dev.pydb.storage.lmdb;

import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.tck.KitStorageContext;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * Run in a fresh JVM by {@link DamagedDataFileChildTest} on a damaged store. Mode {@code lmdbjava}
 * opens it as the 0.1.0 backend did (lmdbjava straight away: open the environment, its databases,
 * read every document); mode {@code provider} opens it through {@link LmdbStorageProvider} and
 * prints {@code REFUSED <code>: <message>} when the open is refused. Prints {@code READ n} after
 * reading n documents.
 */
public final class DamagedDataFileMain {
    private DamagedDataFileMain() {}

    public static void main(String[] args) {
        Path path = Path.of(args[1]);
        if (args[0].equals("lmdbjava")) {
            try (Env<ByteBuffer> env = Env.create().setMapSize(1L << 30).setMaxDbs(LmdbTables.DBI_COUNT)
                    .open(path.toFile(), EnvFlags.MDB_NOTLS)) {
                Dbi<ByteBuffer> documents = env.openDbi("documents");
                long read = 0;
                try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> cursor = documents.openCursor(txn)) {
                    for (boolean found = cursor.first(); found; found = cursor.next()) {
                        read += cursor.val().remaining() > 0 ? 1 : 0;
                    }
                }
                System.out.println("READ " + read);
            }
            return;
        }
        try (Storage storage = new LmdbStorageProvider().open(new StorageConfig(path, StorageOptions.empty()),
                KitStorageContext.at(path.getParent()))) {
            System.out.println("READ " + storage.scan(DataFiles.DB, null, 10_000).size());
        } catch (PydbException e) {
            System.out.println("REFUSED " + e.code() + ": " + e.getMessage());
        }
    }
}
