package io.superflux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {
    @Test
    void scatteredReplaysAreKeptAsRangesAndTheCommitMovesOverWhatIsDoneInARow() {
        ReplayProgress progress = ReplayProgress.of(null, 10);
        assertEquals(10, progress.start());
        for (long offset : new long[] {12, 13, 14, 20}) {
            assertTrue(progress.take(offset));
        }
        assertEquals(new OffsetAndMetadata(10, "flux-replayed:12-14,20"), progress.commit());
        progress.take(10);
        progress.take(11);
        assertEquals(new OffsetAndMetadata(15, "flux-replayed:20"), progress.commit(), "10-14 done in a row");

        ReplayProgress read = ReplayProgress.of(progress.commit(), 0);
        assertTrue(read.isDone(3) && read.isDone(14) && read.isDone(20));
        assertFalse(read.isDone(15) || read.isDone(19) || read.isDone(21));
        for (long offset = 15; offset <= 19; offset++) {
            read.take(offset);
        }
        assertEquals(new OffsetAndMetadata(21, ""), read.commit());
    }

    /**
     * About 700 scattered dead letters in one partition, all taken in one run: the commit at its
     * end must still fit offset.metadata.max.bytes, or it fails after every send succeeded and the
     * next run sends them all again.
     */
    @Test
    void theLettersOfOneRunTogetherNeverOutgrowTheCommitsMetadata() {
        ReplayProgress progress = ReplayProgress.of(new OffsetAndMetadata(1_000_000), 0);
        List<Long> taken = new ArrayList<>();
        for (long offset = 1_000_001; offset < 1_001_400; offset += 2) { // every other dead letter: one range each
            if (progress.take(offset)) {
                taken.add(offset);
            }
        }
        assertTrue(taken.size() < 700, "not all of them fit: " + taken.size());
        OffsetAndMetadata commit = progress.commit();
        assertTrue(commit.metadata().length() <= ReplayProgress.MAX_METADATA_CHARS, commit.metadata().length() + " chars");
        ReplayProgress read = ReplayProgress.of(commit, 0);
        for (long offset : taken) {
            assertTrue(read.isDone(offset), "taken and committed: " + offset);
        }
        assertFalse(read.isDone(taken.get(taken.size() - 1) + 2), "the first one that did not fit is left for the next run");
        assertTrue(read.take(taken.get(taken.size() - 2) + 1), "an offset that joins two ranges still fits");
        assertTrue(read.take(1_000_000), "the committed offset moving on always fits");
    }

    @Test
    void aFailedSendGivesItsLetterBackAndAWideRangeIsNeverExpanded() {
        ReplayProgress progress = ReplayProgress.of(new OffsetAndMetadata(5, "flux-replayed:100-5000000"), 0);
        assertEquals(1, progress.ranges());
        assertTrue(progress.isDone(2_500_000));
        progress.take(7);
        progress.take(8);
        progress.take(9);
        progress.failed(8);
        assertEquals(new OffsetAndMetadata(5, "flux-replayed:7,9,100-5000000"), progress.commit());
        assertFalse(progress.isDone(8));
    }
}
