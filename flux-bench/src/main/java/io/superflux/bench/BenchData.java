package io.superflux.bench;

import java.util.Arrays;

/** The records every scenario uses: 100-byte values. */
final class BenchData {
    static final int VALUE_BYTES = 100;

    private BenchData() {
    }

    static byte[] value() {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) 'x');
        return value;
    }
}
