package io.superflux.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flux new GROUP:ARTIFACT}: writes a new application project. */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = {"Writes a new application project: a Maven build on this flux.jar's version, a task created from",
                "its own settings, a flux-testkit test, application.conf, a systemd unit, a container entrypoint, a README."})
final class NewCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "GROUP:ARTIFACT", description = "The project's Maven coordinates, e.g. com.acme:orders.")
    private String coordinates;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to write it (default: ./ARTIFACT); new or empty.")
    private Path directory;

    @Option(names = "--package", paramLabel = "PACKAGE", description = "The task's Java package (default: GROUP.ARTIFACT"
            + " without dashes).")
    private String javaPackage;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        int colon = coordinates.indexOf(':');
        if (colon < 0 || coordinates.indexOf(':', colon + 1) >= 0) {
            throw usage("'" + coordinates + "': give GROUP:ARTIFACT, e.g. com.acme:orders");
        }
        String group = coordinates.substring(0, colon);
        String artifact = coordinates.substring(colon + 1);
        if (!StarterProject.GROUP.matcher(group).matches()) {
            throw usage("group '" + group + "': give lower-case words joined by dots, e.g. com.acme");
        }
        if (!StarterProject.ARTIFACT.matcher(artifact).matches()) {
            throw usage("artifact '" + artifact + "': give lower-case words joined by dashes, e.g. orders or order-sink");
        }
        String packageName = javaPackage != null ? javaPackage : group + "." + artifact.replace("-", "");
        if (!StarterProject.GROUP.matcher(packageName).matches()) {
            throw usage("--package '" + packageName + "': give a Java package of lower-case words, e.g. com.acme.orders");
        }
        Path target = directory != null ? directory : Path.of(artifact);
        if (Files.exists(target) && !isEmptyDirectory(target)) {
            throw usage((directory != null ? "--dir " : "") + target + ": exists and is not an empty directory; give a new"
                    + " one with --dir");
        }
        StarterProject project = new StarterProject(group, artifact, packageName, fluxJar());
        List<Path> written = project.writeTo(target);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Wrote " + written.size() + " files to " + target + " (task " + project.taskClass() + "):");
        written.forEach(file -> out.println("  " + target.relativize(file)));
        out.println("Next: cd " + target + " && mvn -B verify; its README has the rest.");
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), "flux new " + message);
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }

    /** The path of the running flux.jar, for the README (or "flux.jar" when it runs from classes). */
    private static String fluxJar() {
        try {
            Path location = Path.of(NewCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return location.toString().endsWith(".jar") ? location.toAbsolutePath().toString() : "flux.jar";
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            return "flux.jar";
        }
    }
}
