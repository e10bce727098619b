/**
 * Tasks: subclass {@link io.superflux.task.Task} with a {@link io.superflux.task.TaskSpec} and
 * implement {@code call(Message)}. Failures are retried through retry topics without blocking the
 * main topic; each {@link io.superflux.task.Message} carries its {@link io.superflux.task.Failure}
 * history and {@link io.superflux.task.Origin}.
 */
package io.superflux.task;
