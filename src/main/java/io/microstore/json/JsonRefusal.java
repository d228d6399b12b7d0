package io.microstore.json;

/**
 * Every way a JSON text or a patch document is refused, as one sealed family, mapped exhaustively to
 * problems like the store's refusals: not JSON (400), a member named twice (400), no patch (400), a patch that does not fit the value
 * (409), a result that is no storable app (422).
 */
public abstract sealed class JsonRefusal extends RuntimeException
        permits MalformedJson, RepeatedMember, BadPatch, PatchConflict, PatchRefused {
    protected JsonRefusal(String message) {
        super(message);
    }
}
