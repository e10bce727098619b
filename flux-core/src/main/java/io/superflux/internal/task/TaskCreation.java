package io.superflux.internal.task;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import io.superflux.task.Task;
import io.superflux.task.TaskContext;

/**
 * Creates a task from its class as the {@code flux} command and {@code SuperFlux.run(Class)} do:
 * with its public static {@code create(TaskContext)} factory method when it declares one, else
 * with its public no-argument constructor. Every problem is an {@link IllegalArgumentException}
 * naming the class and what it lacks.
 */
public final class TaskCreation {
    static final String FACTORY = "create";

    private TaskCreation() {
    }

    /** A new task of {@code type}; {@code context} is what its factory method is given. */
    public static Task<?> create(Class<?> type, TaskContext context) {
        String name = type.getName();
        if (!Task.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(name + " is not a task: it must extend io.superflux.task.Task");
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(name + " is abstract: give a concrete class");
        }
        Method factory = factoryMethod(type);
        try {
            if (factory != null) {
                Object task = factory.invoke(null, context);
                if (task == null) {
                    throw new IllegalArgumentException(name + "." + FACTORY + "(TaskContext) returned null: return the task");
                }
                return (Task<?>) task;
            }
            return (Task<?>) type.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException(name + " cannot be created: it needs a public static " + FACTORY
                    + "(TaskContext) method returning the task, or a public no-argument constructor");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(name + " cannot be created: " + (factory != null ? FACTORY + "(TaskContext)"
                    : "its constructor") + " threw " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        } catch (InstantiationException e) {
            throw new IllegalArgumentException(name + " cannot be created: " + e, e);
        }
    }

    /** The {@code public static create(TaskContext)} that {@code type} itself declares, or null. */
    private static Method factoryMethod(Class<?> type) {
        Method method;
        try {
            method = type.getDeclaredMethod(FACTORY, TaskContext.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
        if (!Modifier.isPublic(method.getModifiers()) || !Modifier.isStatic(method.getModifiers())
                || !Task.class.isAssignableFrom(method.getReturnType())) {
            throw new IllegalArgumentException(type.getName() + "." + FACTORY + "(TaskContext) is not a factory method:"
                    + " make it public static and return the task (" + method + ")");
        }
        return method;
    }
}
