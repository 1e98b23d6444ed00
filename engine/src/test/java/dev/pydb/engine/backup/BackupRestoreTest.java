package dev.pydb.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.StorageSnapshot;
import dev.pydb.api.storage.StorageVerifier.Progress;
import dev.pydb.engine.backup.BackupFormat.BackupDamageException;
import dev.pydb.engine.json.JsonSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRestoreTest {
    private static final ObjectMapper JSON = JsonSupport.mapper(1 << 20);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path temp;

    private final SnapshotMemoryStorage source = new SnapshotMemoryStorage(true);

    private void fill() {
        source.createDatabase("shop");
        source.createDatabase("empty");
        source.createDatabase("logs");
        for (int i = 0; i < 2500; i++) {
            source.put("shop", String.format("k%05d", i), ("{\"n\": " + i + ",  \"s\":\"x\\u00e9\\\"y\"}").getBytes(UTF_8), -1);
        }
        source.put("shop", "k00007", "{\"n\":7,\"again\":true}".getBytes(UTF_8), -1);
        source.put("logs", "ключ \"quoted\" \\ é", "{\"nested\":{\"a\":[1,2.50,{}]},\"e\":1e3}".getBytes(UTF_8), -1);
        source.indexes().orElseThrow().create("shop", new IndexSpec(FieldPath.parse("n", "t"), true, 0));
        source.indexes().orElseThrow().create("logs", new IndexSpec(FieldPath.parse("nested.a", "t"), false, 60));
    }

    private BackupManifest backup(Path folder) {
        try (StorageSnapshot snapshot = source.snapshot().orElseThrow()) {
            return new BackupWriter(JSON, CLOCK).write(snapshot, folder, "0.2.0", "memory", Progress.NONE);
        }
    }

    @Test
    void a_restore_gives_back_every_document_byte_for_byte_with_its_revision_and_the_indexes() throws IOException {
        fill();
        Path folder = temp.resolve("b");
        BackupManifest manifest = backup(folder);

        assertThat(manifest.documents()).isEqualTo(2501);
        assertThat(manifest.databases()).extracting(BackupManifest.DatabaseEntry::name).containsExactly("empty", "logs", "shop");
        SnapshotMemoryStorage target = new SnapshotMemoryStorage(true);
        Restore.Summary summary = Restore.run(BackupReader.open(folder, JSON), target, Progress.NONE);

        assertThat(summary).isEqualTo(new Restore.Summary(3, 2501, 2, List.of()));
        assertThat(target.contents()).isEqualTo(source.contents());
        assertThat(target.get("shop", "k00007").orElseThrow().rev()).isEqualTo(2);
        assertThat(target.indexSpecs("shop")).isEqualTo(source.indexSpecs("shop"));
        assertThat(target.indexSpecs("logs")).containsExactly(new IndexSpec(FieldPath.parse("nested.a", "t"), false, 60));
    }

    @Test
    void the_files_are_the_owners_only_and_the_manifest_names_counts_sizes_and_checksums() throws IOException {
        fill();
        Path folder = temp.resolve("deep/b");
        backup(folder);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        for (String file : List.of("manifest.json", "shop.jsonl", "logs.jsonl", "empty.jsonl")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
        var manifest = JSON.readTree(folder.resolve("manifest.json").toFile());
        assertThat(manifest.path("format").asText()).isEqualTo("pydb-backup");
        assertThat(manifest.path("documents").asLong()).isEqualTo(2501);
        var shop = manifest.path("databases").get(2);
        assertThat(shop.path("documents").asLong()).isEqualTo(2500);
        assertThat(shop.path("bytes").asLong()).isEqualTo(Files.size(folder.resolve("shop.jsonl")));
        assertThat(shop.path("sha256").asText()).hasSize(64);
        assertThat(Files.readAllLines(folder.resolve("shop.jsonl")).get(0))
                .isEqualTo("{\"key\":\"k00000\",\"rev\":1,\"crc32c\":" + BackupFormat.crc32c(
                        "{\"n\": 0,  \"s\":\"x\\u00e9\\\"y\"}".getBytes(UTF_8)) + ",\"doc\":{\"n\": 0,  \"s\":\"x\\u00e9\\\"y\"}}");
        assertThat(Files.readString(folder.resolve("empty.jsonl"))).isEmpty();
    }

    @Test
    void a_backup_is_the_snapshot_moment_writes_after_it_are_not_in_it() throws IOException {
        fill();
        Path folder = temp.resolve("b");
        try (StorageSnapshot snapshot = source.snapshot().orElseThrow()) {
            source.put("shop", "later", "{}".getBytes(UTF_8), -1);
            source.put("shop", "k00001", "{\"changed\":1}".getBytes(UTF_8), -1);
            new BackupWriter(JSON, CLOCK).write(snapshot, folder, "0.2.0", "memory", Progress.NONE);
        }
        SnapshotMemoryStorage target = new SnapshotMemoryStorage(true);
        Restore.run(BackupReader.open(folder, JSON), target, Progress.NONE);
        assertThat(target.get("shop", "later")).isEmpty();
        assertThat(target.get("shop", "k00001").orElseThrow().rev()).isEqualTo(1);
        assertThat(target.count("shop")).isEqualTo(2500);
    }

    @Test
    void a_flipped_byte_fails_the_sha256_before_anything_is_written() throws IOException {
        fill();
        Path folder = temp.resolve("b");
        backup(folder);
        Path file = folder.resolve("shop.jsonl");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);

        SnapshotMemoryStorage target = new SnapshotMemoryStorage(true);
        assertThatThrownBy(() -> Restore.run(BackupReader.open(folder, JSON), target, Progress.NONE))
                .isInstanceOf(BackupDamageException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("SHA-256");
        assertThat(target.listDatabases()).isEmpty();
    }

    @Test
    void a_line_that_fails_its_crc_is_reported_with_its_file_and_line_even_when_the_manifest_was_rewritten()
            throws IOException {
        source.createDatabase("shop");
        source.put("shop", "a", "{\"v\":1}".getBytes(UTF_8), -1);
        source.put("shop", "b", "{\"v\":2}".getBytes(UTF_8), -1);
        Path folder = temp.resolve("b");
        backup(folder);
        Path file = folder.resolve("shop.jsonl");
        Files.writeString(file, Files.readString(file).replace("{\"v\":2}", "{\"v\":3}"));
        rewriteManifestChecksum(folder, file);

        SnapshotMemoryStorage target = new SnapshotMemoryStorage(true);
        assertThatThrownBy(() -> Restore.run(BackupReader.open(folder, JSON), target, Progress.NONE))
                .isInstanceOf(BackupDamageException.class)
                .hasMessage(file + " line 2: document 'b' fails its checksum");
    }

    @Test
    void a_cut_file_and_a_missing_manifest_are_reported() throws IOException {
        fill();
        Path folder = temp.resolve("b");
        backup(folder);
        Path file = folder.resolve("logs.jsonl");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> BackupReader.open(folder, JSON).checkFiles(Progress.NONE))
                .isInstanceOf(BackupDamageException.class).hasMessageContaining("bytes, the manifest says");
        rewriteManifestChecksum(folder, file);
        assertThatThrownBy(() -> Restore.run(BackupReader.open(folder, JSON), new SnapshotMemoryStorage(true), Progress.NONE))
                .isInstanceOf(BackupDamageException.class).hasMessageContaining("line 1: cut short");

        Files.delete(folder.resolve("manifest.json"));
        assertThatThrownBy(() -> BackupReader.open(folder, JSON))
                .isInstanceOf(BackupDamageException.class).hasMessageContaining("holds no manifest.json");
    }

    @Test
    void a_restore_refuses_a_storage_that_is_not_empty_and_a_backup_refuses_a_folder_that_is_not() throws IOException {
        fill();
        Path folder = temp.resolve("b");
        backup(folder);
        SnapshotMemoryStorage target = new SnapshotMemoryStorage(true);
        target.createDatabase("other");
        assertThatThrownBy(() -> Restore.run(BackupReader.open(folder, JSON), target, Progress.NONE))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("other");
        assertThatThrownBy(() -> backup(folder))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("not empty");
    }

    @Test
    void a_storage_without_indexes_gets_the_documents_and_is_told_which_indexes_were_left_out() throws IOException {
        fill();
        Path folder = temp.resolve("b");
        backup(folder);
        SnapshotMemoryStorage target = new SnapshotMemoryStorage(false);
        Restore.Summary summary = Restore.run(BackupReader.open(folder, JSON), target, Progress.NONE);
        assertThat(summary.skippedIndexes()).containsExactly("logs.nested.a", "shop.n");
        assertThat(target.contents()).isEqualTo(source.contents());
    }

    @Test
    void lines_decode_to_the_same_document_and_damaged_lines_are_refused() {
        Document document = new Document("k\"\n\u0000é", 42, "{ \"a\" : [1, {\"b\": null}] }".getBytes(UTF_8));
        byte[] line = BackupFormat.encode(document);
        assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
        assertThat(BackupFormat.decode(line, line.length - 1)).isEqualTo(document);
        for (String bad : List.of("", "[]", "{\"key\":\"a\",\"rev\":1,\"crc32c\":1,\"doc\":[1]}",
                "{\"key\":\"a\",\"rev\":0,\"crc32c\":1,\"doc\":{}}", "{\"key\":\"a\",\"rev\":1,\"doc\":{}}",
                "{\"key\":\"a\",\"rev\":1,\"crc32c\":1,\"doc\":{}}", "{\"key\":\"a\",\"rev\":1,\"crc32c\":1,\"doc\":{}} x",
                "{\"key\":\"a\",\"rev\":1,\"crc32c\":1,\"doc\":{\"x\":}")) {
            byte[] bytes = bad.getBytes(UTF_8);
            assertThatThrownBy(() -> BackupFormat.decode(bytes, bytes.length)).as(bad)
                    .isInstanceOf(BackupDamageException.class);
        }
    }

    private static void rewriteManifestChecksum(Path folder, Path file) throws IOException {
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(folder.resolve("manifest.json").toFile());
        for (var db : manifest.path("databases")) {
            if (db.path("file").asText().equals(file.getFileName().toString())) {
                var sha = BackupWriter.sha256();
                byte[] bytes = Files.readAllBytes(file);
                ((com.fasterxml.jackson.databind.node.ObjectNode) db).put("sha256", java.util.HexFormat.of().formatHex(sha.digest(bytes)))
                        .put("bytes", bytes.length);
            }
        }
        Files.write(folder.resolve("manifest.json"), JSON.writeValueAsBytes(manifest));
    }

}
