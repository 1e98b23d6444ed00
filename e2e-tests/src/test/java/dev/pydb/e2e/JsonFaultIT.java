package dev.pydb.e2e;

import java.nio.file.Path;
import java.util.Optional;

/** The fault-injection suite with {@code storage.provider = "json"}; its backup is restored into lmdb. */
class JsonFaultIT extends FaultContract {
    @Override
    String provider() {
        return "json";
    }

    @Override
    String restoreInto() {
        return "lmdb";
    }

    @Override
    Path mainDataFile(Path data) {
        return data.resolve("databases/shop/snapshot.json");
    }

    @Override
    Optional<Path> logFile(Path data) throws java.io.IOException {
        return Optional.of(newest(data.resolve("wal"), "wal-*.log"));
    }
}
