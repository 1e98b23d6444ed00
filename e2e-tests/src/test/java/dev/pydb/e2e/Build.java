package dev.pydb.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the Maven build hands the suites (Failsafe system properties), checked to exist. */
final class Build {
    private Build() {}

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String version() {
        return property("pydb.version");
    }

    /** The {@code distribution} module folder: Dockerfile, docker/, target/. */
    static Path distributionModule() {
        return existing(Path.of(property("pydb.distribution.dir")).toAbsolutePath().normalize());
    }

    /** {@code distribution/target/pydb-<version>.zip}. */
    static Path distributionZip() {
        return existing(distributionModule().resolve("target").resolve("pydb-" + version() + ".zip"));
    }

    /** {@code distribution/target/pydb-<version>.tar.gz}, the archive the image is built from. */
    static Path distributionTarGz() {
        return existing(distributionModule().resolve("target").resolve("pydb-" + version() + ".tar.gz"));
    }

    /** {@code distribution/target/pydb-<version>/}, the unpacked distribution (the build tree). */
    static Path unpackedDistribution() {
        return existing(distributionModule().resolve("target").resolve("pydb-" + version()));
    }

    /** The example plugin's jar, {@code example-plugin-incr/target/pydb-example-plugin-incr-<version>.jar}. */
    static Path examplePluginJar() {
        return existing(Path.of(property("pydb.example.plugin.jar")).toAbsolutePath().normalize());
    }

    /** The base image of the test image, e.g. {@code pydb-base-jre:25}. */
    static String dockerBaseImage() {
        return property("pydb.docker.base.image");
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run these tests with Maven "
                    + "(mvn -pl e2e-tests -am verify), which sets it");
        }
        return value;
    }

    private static Path existing(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " does not exist: build it first (mvn -pl e2e-tests -am verify builds it)");
        }
        return path;
    }
}
