package io.superflux.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import io.superflux.FluxConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code flux} command: {@code java -jar flux.jar <subcommand> …}. Exit codes: 0 success (also
 * after a SIGTERM/SIGINT-driven shutdown of {@code process}), 1 a runtime error (e.g. Kafka cannot
 * be reached), 2 a usage or configuration error.
 */
@Command(name = "flux", mixinStandardHelpOptions = true, versionProvider = FluxCli.Version.class,
        description = "Runs Flux tasks and operates their topics.",
        subcommands = {ProcessCommand.class, ProduceCommand.class, TopicsCommand.class, DlqCommand.class,
                BackoffCommand.class, NewCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class FluxCli implements Runnable {
    /** Exit code of a runtime failure. */
    public static final int RUNTIME_ERROR = 1;
    /** Exit code of a usage or configuration error. */
    public static final int USAGE_ERROR = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private FluxCli() {
    }

    /** Runs the command and exits with its code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        String logFormatError = LogFormat.select(args, System.getenv("FLUX_LOG_FORMAT"));
        if (logFormatError != null) {
            err.println("flux: " + logFormatError);
            System.exit(USAGE_ERROR);
        }
        System.exit(execute(out, err, args));
    }

    /** Runs the command with the given output streams and returns its exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new FluxCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter to = e.getCommandLine().getErr();
            to.println("flux: " + e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
                unmatched.printSuggestions(to);
            }
            to.println("Usage: " + e.getCommandLine().getHelp().synopsis(0).trim());
            to.println("See '" + e.getCommandLine().getCommandSpec().qualifiedName(" ") + " --help'.");
            to.flush();
            return USAGE_ERROR;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            PrintWriter to = cl.getErr();
            if (e instanceof FluxConfigException) {
                to.println("flux: configuration error: " + e.getMessage());
                to.flush();
                return USAGE_ERROR;
            }
            to.println("flux: error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            to.flush();
            return RUNTIME_ERROR;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: give one of process,"
                + " produce, topics, dlq, backoff, new, version");
    }

    /** flux, kafka-clients and Java versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {line()};
        }

        static String line() {
            String version = FluxCli.class.getPackage().getImplementationVersion();
            return "flux " + (version == null ? "development" : version) + " (kafka-clients " + kafkaVersion()
                    + ", Java " + Runtime.version() + ")";
        }

        private static String kafkaVersion() {
            java.util.Properties properties = new java.util.Properties();
            try (java.io.InputStream in = org.apache.kafka.clients.producer.KafkaProducer.class
                    .getResourceAsStream("/kafka/kafka-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (java.io.IOException e) {
                return "unknown";
            }
            return properties.getProperty("version", "unknown");
        }
    }
}
