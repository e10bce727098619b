package io.superflux.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A new application project, as {@code flux new GROUP:ARTIFACT} writes it: a Maven build on this
 * flux.jar's version, a task created from its own configuration, a flux-testkit test, its
 * application.conf, a systemd unit, a container entrypoint and Dockerfile, and a README with its
 * commands. Names are checked before anything is written.
 */
final class StarterProject {
    static final Pattern GROUP = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
    static final Pattern ARTIFACT = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z.-]+)}}");
    private static final String TEMPLATES = "starter/";

    /** A template and where it goes; {@code {{…}}} in the target is filled in too. */
    private record File(String template, String target, boolean executable) {
    }

    private static final List<File> FILES = List.of(
            new File("pom.xml.template", "pom.xml", false),
            new File("README.md.template", "README.md", false),
            new File("gitignore.template", ".gitignore", false),
            new File("Task.java.template", "src/main/java/{{packagePath}}/{{class}}.java", false),
            new File("application.conf.template", "src/main/resources/application.conf", false),
            new File("TaskTest.java.template", "src/test/java/{{packagePath}}/{{class}}Test.java", false),
            new File("logback-test.xml.template", "src/test/resources/logback-test.xml", false),
            new File("service.template", "deploy/{{artifact}}.service", false),
            new File("entrypoint.sh.template", "deploy/entrypoint.sh", true),
            new File("Dockerfile.template", "Dockerfile", false));

    private final Map<String, String> values = new LinkedHashMap<>();

    /** The project of {@code group}:{@code artifact} with its task in {@code javaPackage}. */
    StarterProject(String group, String artifact, String javaPackage, String fluxJar) {
        values.put("group", group);
        values.put("artifact", artifact);
        values.put("package", javaPackage);
        values.put("packagePath", javaPackage.replace('.', '/'));
        values.put("class", className(artifact));
        values.put("env", artifact.toUpperCase(Locale.ROOT).replace('-', '_'));
        values.put("fluxJar", fluxJar);
        versions().forEach((name, version) -> values.put("v." + name, version));
    }

    /** OrdersTask for orders, OrderSinkTask for order-sink. */
    static String className(String artifact) {
        StringBuilder name = new StringBuilder();
        for (String word : artifact.split("-")) {
            name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return name.append("Task").toString();
    }

    /** The task's fully qualified class name. */
    String taskClass() {
        return values.get("package") + "." + values.get("class");
    }

    /** Writes every file under {@code directory} (which must not exist or be empty); returns them. */
    List<Path> writeTo(Path directory) {
        try {
            Files.createDirectories(directory);
            return FILES.stream().map(file -> write(directory, file)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the project to " + directory + ": " + e.getMessage(), e);
        }
    }

    private Path write(Path directory, File file) {
        Path target = directory.resolve(fill(file.target(), file.target()));
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, fill(template(file.template()), file.template()), StandardCharsets.UTF_8);
            if (file.executable()) {
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private String fill(String text, String where) {
        Matcher placeholders = PLACEHOLDER.matcher(text);
        StringBuilder filled = new StringBuilder();
        while (placeholders.find()) {
            String value = values.get(placeholders.group(1));
            if (value == null) {
                throw new IllegalStateException("the starter template " + where + " has an unknown {{" + placeholders.group(1)
                        + "}}");
            }
            placeholders.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        return placeholders.appendTail(filled).toString();
    }

    private static String template(String name) {
        try (InputStream in = StarterProject.class.getResourceAsStream(TEMPLATES + name)) {
            if (in == null) {
                throw new IllegalStateException("flux.jar lacks the starter template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> versions() {
        Properties versions = new Properties();
        try (InputStream in = StarterProject.class.getResourceAsStream(TEMPLATES + "versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("flux.jar lacks the starter's versions.properties");
            }
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> byName = new LinkedHashMap<>();
        versions.stringPropertyNames().forEach(name -> byName.put(name, versions.getProperty(name)));
        return byName;
    }
}
