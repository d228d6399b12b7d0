package io.microstore.json.patch;

/**
 * JSON Merge Patch (RFC 7396): a patch that is an object sets its members in the target (recursively;
 * null removes one), anything else replaces the target. Members it does not name are not touched, and
 * those it names are set in place, so the rest of the value keeps its bytes.
 */
final class MergePatch {
    private MergePatch() {}

    /** {@code patch} applied to {@code target} (null: absent). */
    static Node apply(Node target, Raw patch, Work work) {
        if (patch.kind() != Node.Kind.OBJECT) {
            return patch;
        }
        ObjectNode result = target != null && target.kind() == Node.Kind.OBJECT
                ? (ObjectNode) Node.open(target, work)
                : ObjectNode.empty();
        ObjectNode.of(patch, work).forEach((name, token, value) -> {
            if (value.kind() == Node.Kind.NULL) {
                result.remove(name);
            } else {
                result.put(name, token, apply(result.get(name), (Raw) value, work));
            }
        });
        return result;
    }
}
