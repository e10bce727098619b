package io.superflux.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code --load} values put on the application's class path, as {@code java -cp} reads
 * them: a jar; a directory of classes; a directory holding jars and no classes (its jars);
 * {@code dir/*} (the jars in {@code dir}); or a list of these joined by the path separator
 * ({@code app.jar:lib/*}). A jar's manifest {@code Class-Path} is honoured by the class loader.
 * A value that yields no class and no jar is an error naming it; so is a file that is not a jar.
 */
final class ApplicationClasspath {
    private static final Logger log = LoggerFactory.getLogger(ApplicationClasspath.class);
    /** How deep a directory is searched for a class file before it is taken for a directory of jars. */
    private static final int CLASS_SEARCH_DEPTH = 12;

    /** A {@code --load} value that cannot be used, with what is wrong and what is allowed. */
    static class BadEntry extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadEntry(String value, String problem) {
            super("--load " + value + ": " + problem);
        }
    }

    /** An entry that names nothing to load (missing, or without classes and jars): skipped in a list that loads something. */
    static final class EmptyEntry extends BadEntry {
        private static final long serialVersionUID = 1L;

        EmptyEntry(String value, String problem) {
            super(value, problem);
        }
    }

    private ApplicationClasspath() {
    }

    /**
     * The URLs of every {@code --load} value, in order. A value that yields nothing is an error; in
     * a list that yields something, an entry that yields nothing (an empty {@code lib/*}, a
     * directory not made yet) is logged at INFO and skipped, as {@code java -cp} skips it.
     */
    static List<URL> urls(List<String> values) {
        List<URL> urls = new ArrayList<>();
        for (String value : values) {
            if (value.isBlank()) {
                throw new BadEntry("''", "empty: give a jar, a directory of classes or jars, or dir/*");
            }
            List<BadEntry> skipped = new ArrayList<>();
            int before = urls.size();
            for (String entry : value.split(File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                try {
                    entries(value, entry).forEach(path -> urls.add(url(path)));
                } catch (EmptyEntry e) {
                    skipped.add(e);
                }
            }
            if (urls.size() == before && !skipped.isEmpty()) {
                throw skipped.get(0);
            }
            skipped.forEach(e -> log.info("{}: skipped", e.getMessage()));
        }
        return urls;
    }

    /** The jars and class directories one entry stands for. */
    private static List<Path> entries(String value, String entry) {
        String shown = entry.equals(value) ? value : entry + " (of " + value + ")";
        if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
            Path dir = Path.of(entry.substring(0, entry.length() - 1).isEmpty() ? "." : entry.substring(0, entry.length() - 1));
            if (!Files.isDirectory(dir)) {
                throw new EmptyEntry(shown, "no such directory: dir/* names the jars in a directory");
            }
            List<Path> jars = jars(dir);
            if (jars.isEmpty()) {
                throw new EmptyEntry(shown, "no jar (*.jar) in " + dir);
            }
            return jars;
        }
        Path path = Path.of(entry);
        if (!Files.exists(path)) {
            throw new EmptyEntry(shown, "no such file or directory");
        }
        if (Files.isRegularFile(path)) {
            if (!isJar(path)) {
                throw new BadEntry(shown, "not a jar file (*.jar) or a directory of classes or jars");
            }
            return List.of(path);
        }
        if (holdsClasses(path)) {
            return List.of(path);
        }
        List<Path> jars = jars(path);
        if (jars.isEmpty()) {
            throw new EmptyEntry(shown, "a directory with neither classes nor jars in it: give a directory of classes"
                    + " (target/classes), of jars (target/lib) or a jar");
        }
        return jars;
    }

    /** Whether {@code dir} holds a class file, an application.conf or a META-INF directory: a class directory. */
    private static boolean holdsClasses(Path dir) {
        if (Files.exists(dir.resolve("application.conf")) || Files.isDirectory(dir.resolve("META-INF"))) {
            return true;
        }
        try (Stream<Path> files = Files.walk(dir, CLASS_SEARCH_DEPTH)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".class") && Files.isRegularFile(file));
        } catch (IOException e) {
            throw new UncheckedIOException("--load " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The jars directly in {@code dir}, by name (the order java -cp dir/* leaves unspecified, made stable). */
    private static List<Path> jars(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> Files.isRegularFile(file) && isJar(file)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("--load " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static boolean isJar(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar");
    }

    private static URL url(Path path) {
        try {
            return path.toRealPath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("--load " + path + " cannot be read: " + e.getMessage(), e);
        }
    }
}
