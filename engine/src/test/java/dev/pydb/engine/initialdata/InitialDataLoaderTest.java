package dev.pydb.engine.initialdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.api.storage.Document;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.fakes.CountingStorage;
import dev.pydb.engine.json.JsonSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InitialDataLoaderTest {
    private static final String DATA = """
            {"databases": {
               "shop": {"u1": {"name": "Ann", "price": 1.10}, "u2": {"name": "Bob", "tags": ["a", "b"]}, "u3": {}},
               "logs": {}
            }}
            """;

    private final ObjectMapper json = JsonSupport.mapper(1 << 20);
    private final CountingStorage storage = new CountingStorage();
    private final InitialDataLoader loader = new InitialDataLoader(json, 1024, 2);

    @TempDir
    Path dir;

    @Test
    void creates_databases_and_inserts_documents() throws IOException {
        InitialDataSummary summary = loader.load(write(DATA), storage);
        assertThat(summary).isEqualTo(new InitialDataSummary(2, 3, 0));
        assertThat(storage.listDatabases()).containsExactly("logs", "shop");
        assertThat(storage.count("logs")).isZero();
        assertThat(body("shop", "u1")).isEqualTo("{\"name\":\"Ann\",\"price\":1.10}");
        assertThat(storage.get("shop", "u2").orElseThrow().rev()).isEqualTo(1);
        assertThat(body("shop", "u3")).isEqualTo("{}");
    }

    @Test
    void loading_twice_changes_nothing_and_existing_documents_are_left_alone() throws IOException {
        Path file = write(DATA);
        loader.load(file, storage);
        storage.put("shop", "u1", "{\"name\":\"Changed\"}".getBytes(StandardCharsets.UTF_8), -1);
        int writesBefore = storage.writeCalls();

        InitialDataSummary again = loader.load(file, storage);

        assertThat(again).isEqualTo(new InitialDataSummary(0, 0, 3));
        assertThat(storage.writeCalls()).isEqualTo(writesBefore);
        assertThat(storage.count("shop")).isEqualTo(3);
        assertThat(body("shop", "u1")).isEqualTo("{\"name\":\"Changed\"}");
        assertThat(storage.get("shop", "u1").orElseThrow().rev()).isEqualTo(2);
    }

    @Test
    void only_absent_keys_are_added_to_an_existing_database() throws IOException {
        storage.createDatabase("shop");
        storage.insert("shop", "u2", "{\"mine\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(loader.load(write(DATA), storage)).isEqualTo(new InitialDataSummary(1, 2, 1));
        assertThat(body("shop", "u2")).isEqualTo("{\"mine\":true}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[]|the file must hold a JSON object",
            "{}|\"databases\" must be an object",
            "{\"databases\": [], \"x\": 1}|unknown key 'x'",
            "{\"databases\": {\"bad name\": {}}}|databases.bad name: invalid database name",
            "{\"databases\": {\"shop\": []}}|databases.shop: must be an object",
            "{\"databases\": {\"shop\": {\"u1\": [1]}}}|databases.shop.u1: a document must be a JSON object",
            "{\"databases\": {\"shop\": {\"\": {}}}}|databases.shop.: key must be a non-empty string",
            "{\"databases\": {\"shop\": {\"u1\": {}, \"u1\": {}}}}|not valid JSON at line 1",
            "{\"databases\": {\"shop\": {}}|not valid JSON at line 1"})
    void an_invalid_file_fails_naming_the_problem(String content, String problem) throws IOException {
        Path file = write(content);
        assertThatThrownBy(() -> loader.load(file, storage))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("initial data " + file + ": ")
                .hasMessageContaining(problem);
    }

    @Test
    void a_document_over_the_size_limit_is_rejected() throws IOException {
        Path file = write("{\"databases\": {\"shop\": {\"big\": {\"x\": \"" + "a".repeat(2000) + "\"}}}}");
        assertThatThrownBy(() -> loader.load(file, storage))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("databases.shop.big: the document is 2008 bytes");
    }

    @Test
    void nothing_is_written_when_a_later_entry_is_invalid() throws IOException {
        Path file = write("{\"databases\": {\"shop\": {\"u1\": {}}, \"logs\": {\"bad\": 3}}}");
        assertThatThrownBy(() -> loader.load(file, storage)).isInstanceOf(StartupException.class);
        assertThat(storage.listDatabases()).isEmpty();
    }

    @Test
    void a_missing_file_is_named() {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> loader.load(missing, storage))
                .isInstanceOf(StartupException.class)
                .hasMessage("initial data " + missing + ": file not found");
    }

    private Path write(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "data", ".json"), content);
    }

    private String body(String db, String key) {
        Document document = storage.get(db, key).orElseThrow();
        return new String(document.body(), StandardCharsets.UTF_8);
    }
}
