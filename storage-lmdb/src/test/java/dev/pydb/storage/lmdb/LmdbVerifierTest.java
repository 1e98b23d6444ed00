package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.DataFiles.DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.api.storage.StorageVerifier.Damage;
import dev.pydb.api.storage.StorageVerifier.Report;
import dev.pydb.storage.tck.KitStorageContext;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline verifier reads every page and value of a stopped store, reports each damage, and changes no file. */
final class LmdbVerifierTest extends WithWrittenStore {
    @Test
    void aCleanStoreIsCleanAndProgressCountsEveryDocument() throws IOException {
        List<String> progress = new ArrayList<>();
        long[] advanced = {0};

        Report report = unchanged(() -> verifier().verify(config(), KitStorageContext.at(tempDir), new StorageVerifier.Progress() {
            @Override
            public void begin(String phase, long total) {
                progress.add(phase + " " + total);
            }

            @Override
            public void advance(long units) {
                advanced[0] += units;
            }
        }));

        assertThat(report.clean()).as("%s", report.damage()).isTrue();
        assertThat(report.databases()).isEqualTo(1);
        assertThat(report.documents()).isEqualTo(301);
        assertThat(progress).containsExactly("header 1", "documents 301");
        assertThat(advanced[0]).isEqualTo(302);
    }

    @Test
    void aFlippedBitIsReportedWithItsDatabaseAndKey() throws IOException {
        for (long offset : DataFiles.find(file, "person number 77\"".getBytes(StandardCharsets.UTF_8))) {
            DataFiles.flipBit(file, offset + 3, 6);
        }

        Report report = unchanged(this::verify);

        long valueOffset = DataFiles.valueOffset(path, DB, DataFiles.key(77));
        assertThat(report.documents()).isEqualTo(301);
        assertThat(report.damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(file.toString());
            assertThat(d.offset()).as("the offset of the damaged value").isEqualTo(valueOffset);
            assertThat(d.database()).isEqualTo(DB);
            assertThat(d.key()).isEqualTo(DataFiles.key(77));
            assertThat(d.problem()).startsWith("checksum mismatch");
        });
    }

    @Test
    void aTruncatedFileIsReportedPageByPageWithoutACrash() throws IOException {
        MetaPage meta = DataFiles.newestMeta(path);
        DataFiles.truncate(file, meta.dataBytes() / 2);

        Report report = unchanged(this::verify);

        assertThat(report.damage()).first().satisfies(d -> assertThat(d.problem()).contains("is damaged: it is "
                + meta.dataBytes() / 2 + " bytes long").contains("the file was cut short"));
        assertThat(report.damage()).extracting(Damage::problem).anySatisfy(p -> assertThat(p).contains(
                "lies beyond the end of the file"));
        assertThat(report.documents()).isBetween(1L, 300L);
    }

    @Test
    void aDamagedMetaPageIsReported() throws IOException {
        DataFiles.flipBit(file, 16, 0);

        Report report = unchanged(this::verify);

        assertThat(report.damage()).singleElement().satisfies(d -> assertThat(d.problem()).contains(
                "meta page 0 has the magic number 0xbeefc0df"));
        assertThat(report.documents()).isZero();
    }

    @Test
    void aStoreThatIsOpenOrLockedOrMissingCannotBeVerified() throws IOException {
        try (LmdbStorage open = LmdbTestStorages.open(path)) {
            assertThat(refusal().getMessage()).contains("is open in this process");
        }
        try (FileChannel channel = FileChannel.open(path.resolve("pydb.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            assertThat(refusal().getMessage()).contains("pydb.lock");
        }
        Files.delete(file);
        assertThat(refusal().getMessage()).isEqualTo("no lmdb data to verify: " + file + " does not exist");
    }

    private PydbException refusal() {
        PydbException e = catchThrowableOfType(PydbException.class, this::verify);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        return e;
    }

    private Report verify() {
        return verifier().verify(config(), KitStorageContext.at(tempDir), StorageVerifier.Progress.NONE);
    }

    private StorageVerifier verifier() {
        return new LmdbStorageProvider().verifier().orElseThrow();
    }

    private StorageConfig config() {
        return new StorageConfig(path, StorageOptions.empty());
    }

    /** Runs {@code verification} and checks that no file of the store changed (content and modification time). */
    private Report unchanged(java.util.function.Supplier<Report> verification) throws IOException {
        List<Path> files;
        try (var walk = Files.list(path)) {
            files = walk.sorted().toList();
        }
        List<byte[]> before = new ArrayList<>();
        List<Object> times = new ArrayList<>();
        for (Path f : files) {
            before.add(Files.readAllBytes(f));
            times.add(Files.getLastModifiedTime(f));
        }
        Report report = verification.get();
        try (var walk = Files.list(path)) {
            assertThat(walk.sorted().toList()).isEqualTo(files);
        }
        for (int i = 0; i < files.size(); i++) {
            assertThat(Arrays.equals(Files.readAllBytes(files.get(i)), before.get(i))).as("%s unchanged", files.get(i)).isTrue();
            assertThat(Files.getLastModifiedTime(files.get(i))).isEqualTo(times.get(i));
        }
        return report;
    }
}
