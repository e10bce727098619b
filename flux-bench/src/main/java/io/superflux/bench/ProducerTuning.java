package io.superflux.bench;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * A producer's {@code batch.size} and {@code linger.ms}, the two settings the produce baseline
 * is tuned by (with {@code acks=all} and idempotence, as Flux's producer has them). Written
 * {@code <batch bytes>:<linger ms>} on a run's command line.
 */
record ProducerTuning(int batchSize, int lingerMs) {
    /** The sweep of the full run: 16 KiB–1 MiB × 0–20 ms. */
    static final ProducerTuning[] FULL_SWEEP = sweep(new int[] {16_384, 65_536, 262_144, 1_048_576}, new int[] {0, 5, 20});
    /** The sweep of the quick run. */
    static final ProducerTuning[] QUICK_SWEEP = sweep(new int[] {65_536, 262_144, 1_048_576}, new int[] {5, 20});

    static ProducerTuning parse(String text) {
        String[] parts = text.split(":");
        return new ProducerTuning(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    /** Puts the two settings into {@code props}. */
    Map<String, Object> applyTo(Map<String, Object> props) {
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSize);
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        return props;
    }

    @Override
    public String toString() {
        return batchSize + ":" + lingerMs;
    }

    /** As a reader wants it: {@code batch.size 256 KiB, linger.ms 5}. */
    String describe() {
        return "batch.size " + (batchSize >= 1_048_576 ? batchSize / 1_048_576 + " MiB" : batchSize / 1024 + " KiB")
                + ", linger.ms " + lingerMs;
    }

    private static ProducerTuning[] sweep(int[] batches, int[] lingers) {
        ProducerTuning[] all = new ProducerTuning[batches.length * lingers.length];
        int i = 0;
        for (int batch : batches) {
            for (int linger : lingers) {
                all[i++] = new ProducerTuning(batch, linger);
            }
        }
        return all;
    }
}
