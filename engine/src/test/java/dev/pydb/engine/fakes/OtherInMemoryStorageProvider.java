package dev.pydb.engine.fakes;

/** A second provider class, to see both class names in duplicate-provider errors. */
public final class OtherInMemoryStorageProvider extends InMemoryStorageProvider {
    public OtherInMemoryStorageProvider(String name) {
        super(name);
    }
}
