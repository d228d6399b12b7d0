package io.microstore.json;

/** A patch whose result is not a valid app (renamed, {@code data} removed, extra members): 422. */
public final class PatchRefused extends JsonRefusal {
    public PatchRefused(String message) {
        super(message);
    }
}
