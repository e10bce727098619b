package io.superflux.task;

import java.util.regex.Pattern;

/** The names a task declares (its topic and group): what Kafka takes as a topic or group name. */
final class TaskNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private TaskNames() {
    }

    /**
     * {@code name}, the task's {@code what} (topic, group).
     *
     * @throws IllegalArgumentException naming it, if it is missing or not a legal Kafka name
     */
    static String require(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the task's " + what + " is missing: declare it in its TaskSpec");
        }
        if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("Invalid " + what + " '" + name + "': use 1 to 200 characters from"
                    + " a-z, A-Z, 0-9, '.', '_' and '-'");
        }
        return name;
    }
}
