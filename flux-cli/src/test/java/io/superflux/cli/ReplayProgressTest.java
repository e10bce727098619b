package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {
    @Test
    void scatteredReplaysAreKeptAsRangesAndTheCommitMovesOverWhatIsDoneInARow() {
        ReplayProgress progress = ReplayProgress.of(null, 10);
        assertEquals(10, progress.start());
        for (long offset : new long[] {12, 13, 14, 20}) {
            progress.markDone(offset);
        }
        assertEquals(new OffsetAndMetadata(10, "flux-replayed:12-14,20"), progress.commit());
        progress.markDone(10);
        progress.markDone(11);
        assertEquals(new OffsetAndMetadata(15, "flux-replayed:20"), progress.commit(), "10-14 done in a row");

        ReplayProgress read = ReplayProgress.of(progress.commit(), 0);
        assertTrue(read.isDone(3) && read.isDone(14) && read.isDone(20));
        assertFalse(read.isDone(15) || read.isDone(19) || read.isDone(21));
        read.markDone(15);
        read.markDone(16);
        read.markDone(17);
        read.markDone(18);
        read.markDone(19);
        assertEquals(new OffsetAndMetadata(21, ""), read.commit());
    }

    @Test
    void replaysThatNoLongerFitTheCommitsMetadataAreRefusedBeforeTheyAreSent() {
        ReplayProgress progress = ReplayProgress.of(new OffsetAndMetadata(0), 0);
        long offset = 1;
        while (progress.fits(offset)) {
            progress.markDone(offset);
            offset += 2; // every other dead letter: one range each
        }
        assertTrue(progress.commit().metadata().length() <= ReplayProgress.MAX_METADATA_CHARS);
        assertTrue(progress.fits(offset - 3), "an offset that joins two ranges still fits");
        assertTrue(progress.fits(0), "the committed offset moving on always fits");
    }
}
