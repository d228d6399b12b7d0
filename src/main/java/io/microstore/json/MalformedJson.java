package io.microstore.json;

/**
 * A request body or stored file that is not valid JSON (or not valid UTF-8), with the byte offset
 * where reading stopped, so the client or operator can find the problem.
 */
public final class MalformedJson extends JsonRefusal {
    private final int offset;

    public MalformedJson(String message, int offset) {
        super(message + " at byte " + offset);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
