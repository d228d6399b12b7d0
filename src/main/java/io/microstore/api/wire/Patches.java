package io.microstore.api.wire;

import io.microstore.json.patch.AppPatch;
import io.microstore.store.Command;

/**
 * PATCH on the representation {@code {"name", "data"}} in the two standard formats, JSON Merge Patch
 * (RFC 7396) and JSON Patch (RFC 6902), with {@link AppPatch}, which rewrites only what a patch touches.
 * The patch document is read and checked here; the store applies it to the current value on the
 * request's thread and commits the result only if the value is still the one it was computed from.
 */
public final class Patches {
    public static final String MERGE = "application/merge-patch+json";
    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String ACCEPTED = MERGE + ", " + JSON_PATCH;

    private final long maxBytes;

    /** {@code maxBytes}: the largest value a patch may produce (server.max-payload-size). */
    public Patches(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public static boolean supports(String mediaType) {
        return mediaType.equals(MERGE) || mediaType.equals(JSON_PATCH);
    }

    /** The change a PATCH request asks for, given its (supported) media type and body. */
    public Command.Change parse(String mediaType, byte[] body) {
        return change(mediaType.equals(MERGE) ? AppPatch.mergePatch(body) : AppPatch.jsonPatch(body));
    }

    /**
     * The change of a transaction's {@code patch}: {@code merge} is an RFC 7396 merge patch of the app's data
     * (not of its {@code {"name", "data"}} document: a patch that is no object replaces the data, {@code null}
     * included), with PATCH's limits on the result.
     */
    Command.Change mergeData(byte[] merge) {
        return change(AppPatch.mergeData(merge));
    }

    private Command.Change change(AppPatch patch) {
        return (name, current) -> patch.apply(name, current.data(), maxBytes);
    }
}
