package io.superflux.internal.stage.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void nothingToCommitBeforeTheFirstRecord() {
        PartitionProgress progress = new PartitionProgress();
        assertFalse(progress.needsCommit());
        assertEquals(-1, progress.committable());
    }

    @Test
    void handledRecordsMoveTheCommitPastThem() {
        PartitionProgress progress = new PartitionProgress();
        progress.handled(10);
        progress.handled(11);
        assertEquals(12, progress.committable());
        assertTrue(progress.needsCommit());
        progress.commitSent(12);
        assertFalse(progress.needsCommit());
    }

    @Test
    void aForwardInFlightHoldsTheCommitAtItsOffsetUntilAcknowledged() {
        PartitionProgress progress = new PartitionProgress();
        progress.handled(10);
        PartitionProgress.Pending eleven = progress.started(11);
        progress.handled(12);
        PartitionProgress.Pending thirteen = progress.started(13);
        progress.handled(14);
        assertEquals(11, progress.committable(), "never past an unfinished record");
        progress.complete(thirteen);
        assertEquals(11, progress.committable(), "a later completion does not move it");
        assertEquals(2, progress.inFlight());
        progress.complete(eleven);
        assertEquals(15, progress.committable());
        assertEquals(0, progress.inFlight());
    }

    @Test
    void aFailedAsynchronousCommitIsMadeAgain() {
        PartitionProgress progress = new PartitionProgress();
        progress.handled(3);
        progress.commitSent(4);
        assertFalse(progress.needsCommit());
        progress.commitFailed(4);
        assertTrue(progress.needsCommit());
        assertEquals(4, progress.committable());
    }

    @Test
    void anOffsetSentButNotConfirmedStillNeedsASynchronousCommit() {
        PartitionProgress progress = new PartitionProgress();
        progress.handled(3);
        progress.commitSent(4);
        assertFalse(progress.needsCommit(), "the asynchronous commit is out: not sent twice");
        assertTrue(progress.needsConfirmedCommit(), "but a revocation must not count on it");
        progress.commitConfirmed(4);
        assertFalse(progress.needsConfirmedCommit());
        assertFalse(progress.needsCommit());
        progress.commitFailed(4);
        assertFalse(progress.needsCommit(), "a late failure of an offset the broker already confirmed changes nothing");
    }
}
