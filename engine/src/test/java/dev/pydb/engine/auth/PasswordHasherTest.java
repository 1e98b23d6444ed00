package dev.pydb.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {
    private static final int FAST = PasswordHasher.MIN_ITERATIONS;

    @Test
    void hashHasTheDocumentedFormatWithTheDefaultIterations() {
        String hash = PasswordHasher.hash("s3cret");

        assertThat(hash).matches("pbkdf2-sha256\\$210000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(PasswordHasher.verify("s3cret", hash)).isTrue();
    }

    @Test
    void verifiesTheRightPasswordAndRejectsAWrongOne() {
        String hash = PasswordHasher.hash("correct horse", FAST);

        assertThat(PasswordHasher.verify("correct horse", hash)).isTrue();
        assertThat(PasswordHasher.verify("correct horsf", hash)).isFalse();
        assertThat(PasswordHasher.verify("", hash)).isFalse();
    }

    @Test
    void verifiesNonAsciiPasswords() {
        String hash = PasswordHasher.hash("пароль-🔑", FAST);

        assertThat(PasswordHasher.verify("пароль-🔑", hash)).isTrue();
        assertThat(PasswordHasher.verify("пароль-", hash)).isFalse();
    }

    @Test
    void everyHashHasItsOwnSalt() {
        String first = PasswordHasher.hash("same", FAST);
        String second = PasswordHasher.hash("same", FAST);

        assertThat(first.split("\\$")[2]).isNotEqualTo(second.split("\\$")[2]);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void theIterationCountIsReadFromTheHash() {
        String hash = PasswordHasher.hash("pw", 1500);

        assertThat(PasswordHasher.iterations(hash)).isEqualTo(1500);
        assertThat(PasswordHasher.verify("pw", hash)).isTrue();
        assertThat(PasswordHasher.verify("pw", hash.replace("$1500$", "$1501$"))).isFalse();
    }

    @Test
    void aTamperedHashOrSaltNoLongerVerifies() {
        String hash = PasswordHasher.hash("pw", FAST);
        String[] parts = hash.split("\\$");

        String tamperedHash = parts[0] + "$" + parts[1] + "$" + parts[2] + "$" + flipFirstChar(parts[3]);
        String tamperedSalt = parts[0] + "$" + parts[1] + "$" + flipFirstChar(parts[2]) + "$" + parts[3];

        assertThat(PasswordHasher.verify("pw", tamperedHash)).isFalse();
        assertThat(PasswordHasher.verify("pw", tamperedSalt)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "plain",
        "pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0",
        "pbkdf2-sha1$210000$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$abc$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$10$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$99999999999$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$210000$$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$210000$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$210000$not*base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA$AAAA",
        "pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$extra",
    })
    void malformedHashesAreRejectedWithAClearMessage(String malformed) {
        assertThatThrownBy(() -> PasswordHasher.validate(malformed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("password hash");
        assertThatThrownBy(() -> PasswordHasher.verify("pw", malformed))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingHashIsRejected() {
        assertThatThrownBy(() -> PasswordHasher.validate(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("password hash is missing");
    }

    @Test
    void theDocumentedExampleVerifies() {
        String example = "pbkdf2-sha256$210000$EWtRIrqQ+/5kA9LZLsnnpw$nO59gKpUg/8vtCCyrX3xdKlAbRZC2e9Fl7XMN3RTBsc";

        assertThat(PasswordHasher.verify("changeit", example)).isTrue();
        assertThat(PasswordHasher.verify("changeIt", example)).isFalse();
    }

    @Test
    void aWellFormedHashValidates() {
        PasswordHasher.validate("pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    }

    @Test
    void hashPasswordCommandReadsTheFirstLineAndPrintsAHashOfIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = PasswordHasher.hashPasswordCommand(
                new ByteArrayInputStream("top secret\nignored\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(status).isZero();
        assertThat(err.size()).isZero();
        assertThat(printed).startsWith("pbkdf2-sha256$210000$").doesNotContain("top secret");
        assertThat(PasswordHasher.verify("top secret", printed)).isTrue();
    }

    @Test
    void hashPasswordCommandFailsOnEmptyInput() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = PasswordHasher.hashPasswordCommand(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no password");
    }

    private static String flipFirstChar(String base64) {
        return (base64.charAt(0) == 'A' ? "B" : "A") + base64.substring(1);
    }
}
