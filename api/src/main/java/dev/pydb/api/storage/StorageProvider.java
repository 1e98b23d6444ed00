package dev.pydb.api.storage;

/**
 * A storage backend, found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.pydb.api.storage.StorageProvider}) and chosen by the environment
 * file's {@code storage.provider}. Needs a public no-argument constructor that does no I/O.
 */
public interface StorageProvider {
    /** The name used in {@code storage.provider}, e.g. {@code "lmdb"}: lower case, unique. */
    String name();

    /**
     * Opens (creating if needed) the storage at {@code config.path()}. Validates
     * {@code config.options()} strictly, throwing {@link dev.pydb.api.ConfigException} for an
     * unknown or invalid option; throws {@link dev.pydb.api.PydbException} with
     * {@code UNAVAILABLE} when the data cannot be opened or recovered.
     * Called once per server start; the engine holds a lock file on the path.
     */
    Storage open(StorageConfig config, StorageContext context);

    /** Checks a stopped storage's files for damage ({@code bin/pydb verify}); empty if unsupported. */
    default java.util.Optional<StorageVerifier> verifier() {
        return java.util.Optional.empty();
    }
}
