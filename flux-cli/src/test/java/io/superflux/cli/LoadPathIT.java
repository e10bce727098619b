package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.superflux.testkit.FluxWorkerProcess;

/**
 * Every form {@code --load} takes, through the real flux.jar: {@code flux backoff} loads the task
 * class from it (and prints its schedule) or fails with exit 2 naming the value.
 */
class LoadPathIT {
    private static final String TASK = "io.superflux.cli.testapp.EchoTask";
    private static final String TESTAPP = "io/superflux/cli/testapp/";

    @TempDir
    static Path dir;
    private static Path appJar;

    /** app.jar with the test application's classes, in jars/; classes/ with the same as a class directory. */
    @BeforeAll
    static void packageTheApplication() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("jars"));
        appJar = jars.resolve("app.jar");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(appJar), new Manifest());
             Stream<Path> files = Files.walk(FluxProcess.TEST_CLASSES.resolve(TESTAPP))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = FluxProcess.TEST_CLASSES.relativize(file).toString();
                jar.putNextEntry(new JarEntry(name));
                Files.copy(file, jar);
                jar.closeEntry();
                Path copy = classes.resolve(name);
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy);
            }
        }
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("notes.txt"), "not a jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "jars/app.jar");
        try (OutputStream out = Files.newOutputStream(dir.resolve("launcher.jar"));
             JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
    }

    @Test
    void aJar() throws Exception {
        assertLoads(appJar.toString());
    }

    @Test
    void aDirectoryOfClasses() throws Exception {
        assertLoads(dir.resolve("classes").toString());
    }

    @Test
    void aDirectoryOfJars() throws Exception {
        assertLoads(dir.resolve("jars").toString());
    }

    @Test
    void theJarsOfADirectoryAsJavaCpsWildcard() throws Exception {
        assertLoads(dir.resolve("jars") + "/*");
    }

    @Test
    void aPathList() throws Exception {
        assertLoads(dir.resolve("launcher.jar") + ":" + dir.resolve("jars") + "/*");
    }

    @Test
    void aListSkipsAnEntryThatYieldsNothingAndSaysSo() throws Exception {
        FluxWorkerProcess flux = assertLoads(appJar + ":" + dir.resolve("empty") + "/*:" + dir.resolve("not-built-yet"));
        assertTrue(flux.output().contains("--load " + dir.resolve("empty") + "/* (of ") && flux.output().contains(
                "no jar (*.jar) in " + dir.resolve("empty") + ": skipped"), flux.output());
        assertTrue(flux.output().contains("--load " + dir.resolve("not-built-yet") + " (of "), flux.output());
    }

    @Test
    void aJarsManifestClassPath() throws Exception {
        assertLoads(dir.resolve("launcher.jar").toString());
    }

    @Test
    void aDirectoryWithNeitherClassesNorJarsIsAUsageError() throws Exception {
        assertUsageError(dir.resolve("empty").toString(), "--load " + dir.resolve("empty")
                + ": a directory with neither classes nor jars in it");
        assertUsageError(dir.resolve("empty") + "/*", "--load " + dir.resolve("empty") + "/*: no jar (*.jar) in");
    }

    @Test
    void aFileThatIsNotAJarAndAMissingPathAreUsageErrors() throws Exception {
        assertUsageError(dir.resolve("notes.txt").toString(), "--load " + dir.resolve("notes.txt") + ": not a jar file");
        assertUsageError(dir.resolve("gone.jar").toString(), "--load " + dir.resolve("gone.jar") + ": no such file or directory");
        assertUsageError(dir.resolve("gone.jar") + ":" + dir.resolve("empty"), "--load " + dir.resolve("gone.jar") + " (of "
                + dir.resolve("gone.jar") + ":" + dir.resolve("empty") + "): no such file or directory");
        assertUsageError(appJar + ":" + dir.resolve("notes.txt"), "--load " + dir.resolve("notes.txt") + " (of ");
    }

    private static FluxWorkerProcess assertLoads(String load) throws Exception {
        FluxWorkerProcess flux = FluxProcess.run(Map.of(), Map.of(), null, "backoff", "--tsv", "--load", load, TASK);
        assertEquals(0, flux.exitCode(), flux.output());
        List<String> rows = flux.output().lines().filter(line -> line.matches("\\d+\t.*")).toList();
        assertEquals(1, rows.size(), "the schedule of the task's one retry (the default has 5): " + flux.output());
        return flux;
    }

    private static void assertUsageError(String load, String message) throws Exception {
        FluxWorkerProcess flux = FluxProcess.run(Map.of(), Map.of(), null, "backoff", "--load", load, TASK);
        assertEquals(2, flux.exitCode(), flux.output());
        List<String> lines = flux.output().lines().filter(line -> line.startsWith("flux: ")).toList();
        assertTrue(!lines.isEmpty() && lines.get(0).startsWith("flux: " + message), flux.output());
    }
}
