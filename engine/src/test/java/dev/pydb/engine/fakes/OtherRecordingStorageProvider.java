package dev.pydb.engine.fakes;

/** A second provider class, to see both class names in duplicate-provider errors. */
public final class OtherRecordingStorageProvider extends RecordingStorageProvider {
    public OtherRecordingStorageProvider(String name) {
        super(name);
    }
}
