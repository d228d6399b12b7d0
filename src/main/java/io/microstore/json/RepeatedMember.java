package io.microstore.json;

/**
 * A request object that names one member twice (400). RFC 8259 leaves what that means to the reader and
 * I-JSON (RFC 7493) forbids it; read as "the last one wins", a transaction's second {@code if_match} would
 * quietly lift its first one's condition, so such an object is refused rather than guessed at.
 */
public final class RepeatedMember extends JsonRefusal {
    public RepeatedMember(String name) {
        super("the object names the member \"" + name + "\" twice");
    }
}
