package dev.pydb.engine.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.engine.config.LoggingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogbackConfiguratorTest {
    @TempDir
    Path home;

    @AfterEach
    void restoreConsoleLogging() {
        LogbackConfigurator.configure(new LoggingConfig("INFO", true, null), home);
    }

    @Test
    void writes_the_configured_level_to_a_file_under_home() {
        LogbackConfigurator.configure(new LoggingConfig("WARN", false, "logs/test.log"), home);
        LoggerFactory.getLogger("dev.pydb.test").info("hidden at WARN");
        LoggerFactory.getLogger("dev.pydb.test").warn("shown at WARN");
        LogbackConfigurator.stop();

        assertThat(home.resolve("logs/test.log")).content()
                .doesNotContain("hidden at WARN")
                .containsPattern("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\S* WARN  \\[[^]]+] dev\\.pydb\\.test - shown at WARN");
    }

    @Test
    void the_log_folder_is_0700_and_the_log_file_0600() throws Exception {
        LogbackConfigurator.configure(new LoggingConfig("INFO", false, "logs/nested/py_db.log"), home);
        LoggerFactory.getLogger("dev.pydb.test").info("first file");
        LogbackConfigurator.stop();
        assertThat(mode(home.resolve("logs"))).isEqualTo("rwx------");
        assertThat(mode(home.resolve("logs/nested"))).isEqualTo("rwx------");
        assertThat(mode(home.resolve("logs/nested/py_db.log"))).isEqualTo("rw-------");
    }

    static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void rolled_files_keep_the_name_with_date_and_index() {
        assertThat(LogbackConfigurator.rolledName(Path.of("/x/logs/py_db.log")))
                .isEqualTo("/x/logs/py_db.%d{yyyy-MM-dd}.%i.log.gz");
        assertThat(LogbackConfigurator.rolledName(Path.of("/x/logs/server")))
                .isEqualTo("/x/logs/server.%d{yyyy-MM-dd}.%i.log.gz");
    }
}
