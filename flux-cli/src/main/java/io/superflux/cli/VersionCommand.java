package io.superflux.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flux version}: the versions of flux, kafka-clients and Java. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Prints the versions of flux, kafka-clients and Java.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(FluxCli.Version.line());
        return 0;
    }
}
