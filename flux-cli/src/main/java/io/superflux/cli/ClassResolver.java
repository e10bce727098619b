package io.superflux.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

import io.superflux.SuperFlux;
import io.superflux.internal.task.TaskCreation;
import io.superflux.internal.task.WorkerContext;
import io.superflux.producer.Producer;
import io.superflux.task.Task;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Finds and creates the application's task and producer classes; every problem is a usage error. */
final class ClassResolver {
    private ClassResolver() {
    }

    /**
     * The task {@code className}, created with its {@code create(TaskContext)} factory method or
     * its public no-argument constructor (after the configuration was loaded) and checked for a group.
     */
    static Task<?> task(String className, ApplicationOptions app, CommandSpec spec) {
        Class<?> found = load(className, app, spec);
        Task<?> task;
        try {
            task = TaskCreation.create(found, WorkerContext.forCreation(found, SuperFlux.applicationConfig(),
                    SuperFlux.config(), SuperFlux.meterRegistry()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            task.spec().plan();
        } catch (IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), "Task " + className + " is incomplete: " + e.getMessage());
        }
        return task;
    }

    /** The producer {@code className}, created with its public no-argument constructor. */
    static Producer<?> producer(String className, ApplicationOptions app, CommandSpec spec) {
        return instantiate(className, Producer.class, "a producer: it must extend io.superflux.producer.Producer", app, spec);
    }

    private static Class<?> load(String className, ApplicationOptions app, CommandSpec spec) {
        try {
            return Class.forName(className, true, app.classLoader(spec));
        } catch (ClassNotFoundException e) {
            throw new ParameterException(spec.commandLine(), "Class " + className + " not found in " + app.searched());
        } catch (LinkageError e) {
            throw new ParameterException(spec.commandLine(), "Class " + className + " cannot be loaded: " + e);
        }
    }

    private static <T> T instantiate(String className, Class<T> type, String what, ApplicationOptions app, CommandSpec spec) {
        Class<?> found = load(className, app, spec);
        if (!type.isAssignableFrom(found)) {
            throw new ParameterException(spec.commandLine(), className + " is not " + what);
        }
        if (Modifier.isAbstract(found.getModifiers())) {
            throw new ParameterException(spec.commandLine(), className + " is abstract: give a concrete class");
        }
        try {
            return type.cast(found.getConstructor().newInstance());
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new ParameterException(spec.commandLine(), className + " needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new ParameterException(spec.commandLine(), className + " cannot be created: "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        } catch (InstantiationException e) {
            throw new ParameterException(spec.commandLine(), className + " cannot be created: " + e);
        }
    }
}
