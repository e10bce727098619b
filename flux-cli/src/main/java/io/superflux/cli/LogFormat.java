package io.superflux.cli;

import java.util.Locale;

/**
 * The log format, chosen before logback starts: {@code --log-format} on the command line, else
 * {@code FLUX_LOG_FORMAT}; {@code plain} (default, logback.xml) or {@code json} (logback-json.xml,
 * unless {@code -Dlogback.configurationFile} names a configuration of the user's own).
 */
final class LogFormat {
    static final String OPTION = "--log-format";

    private LogFormat() {
    }

    /** Sets the format for logback; returns an error message for a format that is neither plain nor json, else null. */
    static String select(String[] args, String environment) {
        String chosen = null;
        String source = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                chosen = args[i + 1];
                source = OPTION;
            } else if (args[i].startsWith(OPTION + "=")) {
                chosen = args[i].substring(OPTION.length() + 1);
                source = OPTION;
            }
        }
        if (chosen == null && environment != null && !environment.isBlank()) {
            chosen = environment;
            source = "FLUX_LOG_FORMAT";
        }
        if (chosen == null) {
            return null;
        }
        String format = chosen.trim().toLowerCase(Locale.ROOT);
        if (!format.equals("plain") && !format.equals("json")) {
            return source + " '" + chosen + "': give plain or json";
        }
        if (format.equals("json") && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        return null;
    }
}
