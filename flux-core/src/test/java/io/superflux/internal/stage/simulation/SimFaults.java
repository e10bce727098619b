package io.superflux.internal.stage.simulation;

import java.util.SplittableRandom;

/**
 * The faults in force at the simulated moment: the schedule's fault windows turn them on and
 * off, and each operation draws from the seeded random whether it is hit. Outside every window
 * nothing fails.
 */
final class SimFaults {
    /** What becomes of one send. */
    enum Send { OK, FAIL, DELIVERY_TIMEOUT, BLOCK, THROW, TOO_LARGE }

    /** What becomes of one transaction commit. */
    enum Commit { OK, TIMEOUT, ABORTABLE, EPOCH, FENCED }

    private double sendFailure;
    private double sendDeliveryTimeout;
    private double sendThrow;
    private double tooLarge;
    private String blockedTopic;
    private double asyncCommitFailure;
    private double syncCommitFailure;
    private double transactionFailure;
    private boolean fencing;
    private double abortTimeout;
    private java.util.List<Commit> commitKinds = java.util.List.of();
    private boolean outage;

    /** Every call fails (a dependency is down) while true. */
    boolean outage() {
        return outage;
    }

    void outage(boolean on) {
        outage = on;
    }

    /** Sends fail on the I/O thread at {@code failure}, time out at {@code timeout}, throw at {@code thrown}. */
    void sends(double failure, double timeout, double thrown) {
        sendFailure = failure;
        sendDeliveryTimeout = timeout;
        sendThrow = thrown;
    }

    /** Sends to {@code topic} block for max.block.ms (no metadata) while set; null: none. */
    void blockTopic(String topic) {
        blockedTopic = topic;
    }

    /** Forwards are refused as too large at {@code rate} (a permanent error: the stage stops). */
    void tooLarge(double rate) {
        tooLarge = rate;
    }

    void commits(double asyncFailure, double syncFailure) {
        asyncCommitFailure = asyncFailure;
        syncCommitFailure = syncFailure;
    }

    /** Transaction commits fail at {@code rate}; fencing among the failures if {@code fence}; aborts time out at {@code abort}. */
    void transactions(double rate, boolean fence, double abort) {
        transactions(rate, fence, abort, "");
    }

    /** The same, failing only with {@code kinds} (Commit names, comma-separated; empty: any). */
    void transactions(double rate, boolean fence, double abort, String kinds) {
        transactionFailure = rate;
        fencing = fence;
        abortTimeout = abort;
        commitKinds = kinds.isEmpty() ? java.util.List.of()
                : java.util.Arrays.stream(kinds.split(",")).map(String::trim).map(Commit::valueOf).toList();
    }

    /** Ends every fault. */
    void clear() {
        sends(0, 0, 0);
        blockedTopic = null;
        tooLarge = 0;
        commits(0, 0);
        transactions(0, false, 0);
        outage = false;
    }

    Send send(String topic, SplittableRandom random) {
        if (topic.equals(blockedTopic)) {
            return Send.BLOCK;
        }
        double draw = random.nextDouble();
        if ((draw -= tooLarge) < 0) {
            return Send.TOO_LARGE;
        }
        if ((draw -= sendThrow) < 0) {
            return Send.THROW;
        }
        if ((draw -= sendDeliveryTimeout) < 0) {
            return Send.DELIVERY_TIMEOUT;
        }
        if ((draw -= sendFailure) < 0) {
            return Send.FAIL;
        }
        return Send.OK;
    }

    boolean asyncCommitFails(SplittableRandom random) {
        return asyncCommitFailure > 0 && random.nextDouble() < asyncCommitFailure;
    }

    boolean syncCommitFails(SplittableRandom random) {
        return syncCommitFailure > 0 && random.nextDouble() < syncCommitFailure;
    }

    Commit transactionCommit(SplittableRandom random) {
        if (transactionFailure <= 0 || random.nextDouble() >= transactionFailure) {
            return Commit.OK;
        }
        if (!commitKinds.isEmpty()) {
            return commitKinds.get(random.nextInt(commitKinds.size()));
        }
        int kinds = fencing ? 4 : 3;
        return switch (random.nextInt(kinds)) {
            case 0 -> Commit.TIMEOUT;
            case 1 -> Commit.ABORTABLE;
            case 2 -> Commit.EPOCH;
            default -> Commit.FENCED;
        };
    }

    boolean transactionAbortTimesOut(SplittableRandom random) {
        return abortTimeout > 0 && random.nextDouble() < abortTimeout;
    }
}
