package io.microstore.json;

/** A patch document that is not one: not the shape its media type defines, or a member named twice (400). */
public final class BadPatch extends JsonRefusal {
    public BadPatch(String message) {
        super(message);
    }
}
