package io.superflux.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The filter options {@code flux dlq show}, {@code stats} and {@code replay} share. */
final class DeadLetterFilterOptions {
    @Option(names = "--exception", paramLabel = "CLASS",
            description = "Only dead letters whose last failure is of this class (full or simple name).")
    String exception;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only those dead-lettered at or after TIME: an instant (2026-11-30T08:00:00Z), a date (2026-11-30, UTC)"
                    + " or an age (90m, 12h, 7d ago).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only those dead-lettered before TIME (same forms as --since).")
    String until;

    @Option(names = "--key", paramLabel = "KEY", description = "Only dead letters with this key.")
    String key;

    @Option(names = "--partition", paramLabel = "N", description = "Only dead letters in this partition of the dead-letter topic.")
    Integer partition;

    @Option(names = "--offset", paramLabel = "N", description = "Only the dead letter at this offset (needs --partition).")
    Long offset;

    /** The filter, every option checked. */
    DeadLetterFilter filter(CommandSpec spec, Instant now) {
        if (offset != null && partition == null) {
            throw new ParameterException(spec.commandLine(), "--offset " + offset + " needs --partition: an offset is per partition");
        }
        if (partition != null && partition < 0) {
            throw new ParameterException(spec.commandLine(), "--partition " + partition + ": give 0 or more");
        }
        if (offset != null && offset < 0) {
            throw new ParameterException(spec.commandLine(), "--offset " + offset + ": give 0 or more");
        }
        Instant from = time(spec, "--since", since, now);
        Instant to = time(spec, "--until", until, now);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ParameterException(spec.commandLine(), "--since " + since + " is not before --until " + until);
        }
        return new DeadLetterFilter(exception, from, to, key, partition, offset);
    }

    private static Instant time(CommandSpec spec, String option, String text, Instant now) {
        if (text == null) {
            return null;
        }
        String value = text.trim();
        try {
            if (value.matches("\\d+[smhd]")) {
                long amount = Long.parseLong(value.substring(0, value.length() - 1));
                Duration age = switch (value.toLowerCase(Locale.ROOT).charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
                return now.minus(age);
            }
            if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(value);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new ParameterException(spec.commandLine(), option + " " + text + ": give an instant (2026-11-30T08:00:00Z),"
                    + " a date (2026-11-30) or an age (90m, 12h, 7d)");
        }
    }
}
