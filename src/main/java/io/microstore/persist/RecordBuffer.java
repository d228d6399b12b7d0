package io.microstore.persist;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** A reusable output buffer that hands out its bytes without copying them. */
final class RecordBuffer extends ByteArrayOutputStream {
    RecordBuffer(int size) {
        super(size);
    }

    byte[] array() {
        return buf;
    }

    /** The buffered bytes, for one write; valid until the next reset(). */
    ByteBuffer view() {
        return ByteBuffer.wrap(buf, 0, count);
    }

    void writeAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            write(s.charAt(i));
        }
    }
}
