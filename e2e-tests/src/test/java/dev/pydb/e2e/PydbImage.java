package dev.pydb.e2e;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The py_db image, built once per test run from {@code distribution/Dockerfile} and the
 * distribution archive {@code target/pydb-<version>.tar.gz} on the local base image, and tagged
 * {@code pydb:<version>} and {@code pydb:latest}. The base image is built first, or rebuilt if
 * it is out of date, by {@code distribution/docker/build-base-image.sh}.
 */
final class PydbImage {
    private static String name;

    private PydbImage() {}

    /** Builds the image on first use and returns its tag {@code pydb:<version>}. */
    static synchronized String get() {
        if (name == null) {
            name = build();
        }
        return name;
    }

    private static String build() {
        String tag = "pydb:" + Build.version();
        DockerClient docker = DockerClientFactory.instance().client();
        String previous = imageId(docker, tag);
        String built = build(tag);
        docker.tagImageCmd(built, "pydb", "latest").exec();
        removeReplaced(docker, previous, imageId(docker, tag));
        return built;
    }

    /**
     * Builds the image under {@code tag} now, whatever was built before (for tests that change
     * the build tree first); returns its id.
     */
    static String build(String tag) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("no Docker engine answers, and CI=true requires the Docker suites: "
                    + "start dockerd (see .ci/run)");
        }
        String base = Build.dockerBaseImage();
        // The script returns at once when the base image is there and made from its current module list.
        buildBaseImage(base);
        String version = Build.version();
        Path module = Build.distributionModule();
        // The build context holds only what the Dockerfile copies, under the same paths as in distribution/.
        return new ImageFromDockerfile(tag, false)
                .withFileFromPath("Dockerfile", module.resolve("Dockerfile"))
                .withFileFromPath("docker/conf", module.resolve("docker/conf"))
                .withFileFromPath("docker/docker-entrypoint.sh", module.resolve("docker/docker-entrypoint.sh"))
                .withFileFromPath("docker/healthcheck.sh", module.resolve("docker/healthcheck.sh"))
                .withFileFromPath("target/pydb-" + version + ".tar.gz", Build.distributionTarGz())
                .withBuildArg("BASE_IMAGE", base)
                .withBuildArg("PYDB_VERSION", version)
                .get();
    }

    /** Removes an image built by {@link #build(String)}, if no container uses it. */
    static void remove(String image) {
        try {
            DockerClientFactory.instance().client().removeImageCmd(image).exec();
        } catch (DockerException e) {
            // already gone or in use: leave it to `docker image prune`
        }
    }

    /** Runs {@code distribution/docker/build-base-image.sh}, which needs a local JDK 25 and busybox-static to build. */
    private static void buildBaseImage(String base) {
        Path script = Build.distributionModule().resolve("docker/build-base-image.sh");
        ProcessBuilder builder = new ProcessBuilder(script.toString()).redirectErrorStream(true);
        builder.environment().put("PYDB_BASE_IMAGE", base);
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("the base image " + base + " is missing or out of date and " + script
                        + " could not build it (no registry can be reached to pull one):\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + base, e);
        }
    }

    private static String imageId(DockerClient docker, String image) {
        try {
            return docker.inspectImageCmd(image).exec().getId();
        } catch (NotFoundException e) {
            return null;
        }
    }

    /** Removes the image this build replaced under the same tag, unless a container still uses it. */
    private static void removeReplaced(DockerClient docker, String previous, String current) {
        if (previous == null || previous.equals(current)) {
            return;
        }
        try {
            docker.removeImageCmd(previous).exec();
        } catch (DockerException e) {
            // Still in use or already gone: leave it to `docker image prune`.
        }
    }
}
