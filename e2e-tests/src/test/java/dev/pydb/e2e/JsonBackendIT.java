package dev.pydb.e2e;

/** The contract and durability checks against the unpacked distribution with {@code storage.provider = "json"}. */
class JsonBackendIT extends BackendContract {
    @Override
    String provider() {
        return "json";
    }
}
