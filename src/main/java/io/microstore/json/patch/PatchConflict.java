package io.microstore.json.patch;

/** A patch that does not fit the app's current value (a failed {@code test}, a missing path): 409. */
public final class PatchConflict extends RuntimeException {
    public PatchConflict(String message) {
        super(message);
    }
}
