package dev.pydb.e2e;

import java.nio.file.Path;
import java.util.Optional;

/** The fault-injection suite with {@code storage.provider = "lmdb"} (no append log); its backup is restored into mapdb. */
class LmdbFaultIT extends FaultContract {
    @Override
    String provider() {
        return "lmdb";
    }

    @Override
    String restoreInto() {
        return "mapdb";
    }

    @Override
    Path mainDataFile(Path data) {
        return data.resolve("data.mdb");
    }

    @Override
    Optional<Path> logFile(Path data) {
        return Optional.empty();
    }
}
