package dev.pydb.ycsb;

import static dev.pydb.ycsb.YcsbRecords.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pydb.ycsb.PydbYcsbSettings.InsertAction;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PydbYcsbSettingsTest {
    @Test
    void defaultsTakeThePasswordFromTheEnvironmentAndOneConnectionPerThread() {
        PydbYcsbSettings settings = PydbYcsbSettings.from(properties("threadcount", "16"),
                Map.of("PYDB_PASSWORD", "from-env"));

        assertThat(settings.clientConfig().host()).isEqualTo("127.0.0.1");
        assertThat(settings.clientConfig().port()).isEqualTo(9440);
        assertThat(settings.clientConfig().username()).contains("admin");
        assertThat(settings.clientConfig().password()).contains("from-env");
        assertThat(settings.clientConfig().poolSize()).isEqualTo(16);
        assertThat(settings.database()).isEqualTo("ycsb");
        assertThat(settings.insertAction()).isEqualTo(InsertAction.INSERT);
    }

    @Test
    void propertiesOverrideEveryDefault() {
        PydbYcsbSettings settings = PydbYcsbSettings.from(properties("pydb.host", "db.example", "pydb.port", "9555",
                "pydb.user", "app", "pydb.password", "secret", "pydb.database", "bench", "pydb.pool_size", "2",
                "pydb.insert_action", "put", "threadcount", "16"), Map.of("PYDB_PASSWORD", "from-env"));

        assertThat(settings.clientConfig().host()).isEqualTo("db.example");
        assertThat(settings.clientConfig().port()).isEqualTo(9555);
        assertThat(settings.clientConfig().username()).isEqualTo(Optional.of("app"));
        assertThat(settings.clientConfig().password()).isEqualTo(Optional.of("secret"));
        assertThat(settings.clientConfig().poolSize()).isEqualTo(2);
        assertThat(settings.database()).isEqualTo("bench");
        assertThat(settings.insertAction()).isEqualTo(InsertAction.PUT);
    }

    @Test
    void missingOrBadValuesNameTheProperty() {
        assertThatThrownBy(() -> PydbYcsbSettings.from(properties(), Map.of()))
                .hasMessageContaining("pydb.password").hasMessageContaining("PYDB_PASSWORD");
        assertThatThrownBy(() -> PydbYcsbSettings.from(properties("pydb.password", "p", "pydb.port", "x"), Map.of()))
                .hasMessageContaining("pydb.port must be an integer");
        assertThatThrownBy(() -> PydbYcsbSettings.from(properties("pydb.password", "p", "pydb.port", "70000"), Map.of()))
                .hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> PydbYcsbSettings.from(properties("pydb.password", "p", "pydb.pool_size", "0"), Map.of()))
                .hasMessageContaining("poolSize");
        assertThatThrownBy(() -> PydbYcsbSettings.from(
                properties("pydb.password", "p", "pydb.insert_action", "upsert"), Map.of()))
                .hasMessageContaining("pydb.insert_action must be INSERT or PUT");
    }

    @Test
    void thePasswordNeverAppearsInTheSettingsText() {
        PydbYcsbSettings settings = PydbYcsbSettings.from(properties("pydb.password", "s3cret-value"), Map.of());

        assertThat(settings.toString()).doesNotContain("s3cret-value");
    }
}
