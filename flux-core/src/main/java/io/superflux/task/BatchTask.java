package io.superflux.task;

/**
 * A task called with batches of records: for sinks that write many records in one statement or
 * request (a database, a search index, a bulk API). {@link #call(Batch)} marks the records that
 * failed ({@link Batch#failed}); each of those is forwarded alone to its next stage, with its own
 * headers, failure history and due time, exactly as a failed {@link Task#call(Message)} is, and
 * fatal and routed exception types apply per record. The others are handled. A {@code call} that
 * throws fails every record not marked.
 *
 * <pre>{@code
 * public final class OrderSink extends BatchTask<Order> {
 *     public OrderSink() {
 *         super(TaskSpec.topic("orders").group("order-sink").json(Order.class)
 *                 .batchLimits(BatchLimits.standard().withMaxRecords(1000)));
 *     }
 *
 *     @Override
 *     public void call(Batch<Order> batch) throws Exception {
 *         orders.insertAll(batch.messages()); // one multi-row statement, idempotent by key
 *     }
 * }
 * }</pre>
 *
 * <p>The main stage and the retry stages call batches, of the records due, up to the spec's
 * {@link TaskSpec#batchLimits}; the dead-letter stage calls {@link #deadLetter} per record.
 * Offsets are committed only past records handled or forwarded: a stop or revocation never
 * commits past a record of an unfinished batch. With {@code retryInPlace} a failed record is
 * called again after the backoff, its partition set back to it: it and the batch's later records
 * of that partition come again, in order, in a later batch. Outage protection counts a batch as
 * one call. Batches
 * run one at a time per stage, on the stage's thread: a batch task declares no
 * {@link TaskSpec#concurrency} above 1 (scale with partitions and instances instead).
 *
 * @param <V> the value type
 */
public abstract class BatchTask<V> extends Task<V> {
    /**
     * A batch task as declared by {@code spec}.
     *
     * @throws IllegalArgumentException if {@code spec} declares a concurrency above 1, or ordered retries
     */
    protected BatchTask(TaskSpec<V> spec) {
        super(spec);
        if (spec.keyOrder().isPresent()) {
            throw new IllegalArgumentException("keyOrder on the batch task of topic '" + spec.topic() + "': a batch calls"
                    + " the records of a key together, so when an earlier one fails its later ones were called already;"
                    + " ordered retries need a plain Task, which calls a key's records one after the other");
        }
        if (spec.concurrency() != 1) {
            throw new IllegalArgumentException("concurrency(" + spec.concurrency() + ") on the batch task of topic '"
                    + spec.topic() + "': a batch task's batches run one at a time on their stage's thread, so"
                    + " concurrency must be 1; scale with partitions and worker instances instead");
        }
    }

    /** Handles a batch; mark the records that failed with {@link Batch#failed}; throwing fails every record not marked. */
    public abstract void call(Batch<V> batch) throws Exception;

    /** Calls {@link #call(Batch)} with a batch of {@code message} alone, and throws what it was marked failed with. */
    @Override
    public final void call(Message<V> message) throws Exception {
        Batch<V> batch = Batch.of(java.util.List.of(message));
        call(batch);
        Throwable failure = batch.failureOf(message);
        if (failure instanceof Exception exception) {
            throw exception;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
