package dev.pydb.e2e;

import java.nio.file.Path;
import java.util.Optional;

/** The fault-injection suite with {@code storage.provider = "mapdb"}; its backup is restored into json. */
class MapdbFaultIT extends FaultContract {
    @Override
    String provider() {
        return "mapdb";
    }

    @Override
    String restoreInto() {
        return "json";
    }

    @Override
    Path mainDataFile(Path data) {
        return data.resolve("pydb.mapdb");
    }

    @Override
    Optional<Path> logFile(Path data) {
        return Optional.of(data.resolve("pydb.mapdb.oplog"));
    }
}
