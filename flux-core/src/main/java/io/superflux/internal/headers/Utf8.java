package io.superflux.internal.headers;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Shortens text to a number of UTF-8 bytes without splitting a character. */
public final class Utf8 {
    private static final String ELLIPSIS = "…";

    private Utf8() {
    }

    /** {@code text}, or its longest prefix that with a trailing "…" fits in {@code maxBytes}. */
    public static String truncate(String text, int maxBytes) {
        if (text.length() * 3 <= maxBytes || text.getBytes(UTF_8).length <= maxBytes) {
            return text;
        }
        int budget = maxBytes - ELLIPSIS.getBytes(UTF_8).length;
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end) + ELLIPSIS;
    }
}
