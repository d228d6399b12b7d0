package io.microstore.json;

/** A patch that does not fit the app's current value (a failed {@code test}, a missing path): 409. */
public final class PatchConflict extends JsonRefusal {
    public PatchConflict(String message) {
        super(message);
    }
}
