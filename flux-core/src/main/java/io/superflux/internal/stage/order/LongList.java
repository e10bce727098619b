package io.superflux.internal.stage.order;

import java.util.Arrays;

/**
 * A growable list of longs without boxing: 8 bytes an element. The parked records of a held key
 * keep their offsets in these, so that a million parked records cost megabytes, not a hundred.
 */
final class LongList {
    private static final long[] NONE = new long[0];
    private long[] values = NONE; // most held keys park nothing: their lists cost no array
    private int head;
    private int size;

    void add(long value) {
        if (head + size == values.length) {
            long[] grown = new long[Math.max(4, size * 2)];
            System.arraycopy(values, head, grown, 0, size);
            values = grown;
            head = 0;
        }
        values[head + size++] = value;
    }

    long get(int index) {
        return values[head + index];
    }

    void set(int index, long value) {
        values[head + index] = value;
    }

    void removeFirst() {
        head++;
        size--;
        if (size == 0) {
            head = 0;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The index of {@code value} in a list kept in ascending order, or -1. */
    int indexOf(long value) {
        int at = Arrays.binarySearch(values, head, head + size, value);
        return at >= 0 ? at - head : -1;
    }

    /** The index where {@code value} goes in a list kept in ascending order. */
    int insertionPoint(long value) {
        int at = Arrays.binarySearch(values, head, head + size, value);
        return (at >= 0 ? at : -at - 1) - head;
    }

    void insert(int index, long value) {
        add(0);
        System.arraycopy(values, head + index, values, head + index + 1, size - 1 - index);
        values[head + index] = value;
    }
}
