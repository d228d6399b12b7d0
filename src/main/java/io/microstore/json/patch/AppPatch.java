package io.microstore.json.patch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.microstore.json.BadPatch;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.PatchConflict;
import io.microstore.json.PatchRefused;

/**
 * A PATCH of an app: a JSON Patch or a JSON Merge Patch of its document {@code {"name", "data"}}, or a
 * transaction's merge patch of its data alone. The result is the app's new data, and only what the patch
 * touches is rewritten: every other member, number, escape and byte of the value stays as it was, and a
 * patch that changes nothing returns the very same array. It must still be an app (same name, with data,
 * nothing else), no larger than {@code maxBytes} and no deeper than a PUT allows.
 *
 * <p>A patch costs about what it touches: opening a container lists its members once, each operation is
 * a few lookups, and writing the result copies the untouched bytes; {@link Work} bounds the rest.
 */
public final class AppPatch {
    private enum Kind {
        JSON_PATCH,
        MERGE_DOCUMENT,
        MERGE_DATA
    }

    /** How many of the members a refused patch added its message names. */
    private static final int LISTED = 20;

    private final Kind kind;
    private final byte[] patch;
    private final JsonPatch operations; // for JSON_PATCH

    private AppPatch(Kind kind, byte[] patch, JsonPatch operations) {
        this.kind = kind;
        this.patch = patch;
        this.operations = operations;
    }

    /**
     * An RFC 6902 JSON Patch of the document.
     *
     * @throws io.microstore.json.MalformedJson when {@code body} is not JSON
     * @throws BadPatch when it is no JSON Patch, or names a member twice in one object
     */
    public static AppPatch jsonPatch(byte[] body) {
        byte[] json = read(body);
        return new AppPatch(Kind.JSON_PATCH, json, JsonPatch.read(Raw.of(json), new Work(0, json.length)));
    }

    /** An RFC 7396 merge patch of the document; thrown as for {@link #jsonPatch}. */
    public static AppPatch mergePatch(byte[] body) {
        return new AppPatch(Kind.MERGE_DOCUMENT, read(body), null);
    }

    /** An RFC 7396 merge patch of the data alone (a patch that is no object replaces it); thrown as for {@link #jsonPatch}. */
    public static AppPatch mergeData(byte[] merge) {
        return new AppPatch(Kind.MERGE_DATA, read(merge), null);
    }

    /**
     * The new data of app {@code name} whose data is {@code data}: {@code data} itself when the patch
     * changes nothing.
     *
     * @throws PatchConflict (409) when the patch does not fit the value
     * @throws PatchRefused (422) when the result is no app or not storable, or the patch would take too much work
     */
    public byte[] apply(String name, byte[] data, long maxBytes) {
        try {
            return applyTo(name, data, maxBytes);
        } catch (StackOverflowError e) { // a safety net only: every recursion here is bounded by a depth limit
            throw new PatchRefused("the patch or the value nests too deeply to be patched; replace it with PUT");
        }
    }

    private byte[] applyTo(String name, byte[] data, long maxBytes) {
        Work work = new Work(data.length, patch.length);
        Raw value = Raw.of(data);
        if (kind == Kind.MERGE_DATA) {
            return result(MergePatch.apply(value, Raw.of(patch), work), data, maxBytes, work);
        }
        ObjectNode document = ObjectNode.empty();
        document.put("name", null, Raw.of(JsonText.quote(name)));
        document.put("data", null, value);
        Node patched = kind == Kind.JSON_PATCH
                ? operations.apply(document, work, maxBytes)
                : MergePatch.apply(document, Raw.of(patch), work);
        return result(data(name, patched, work), data, maxBytes, work);
    }

    /** The data of a patched document, which must still be {@code {"name": name, "data": ...}}. */
    private static Node data(String name, Node patched, Work work) {
        if (patched.kind() != Node.Kind.OBJECT) {
            throw new PatchRefused("the patched document must stay an object {\"name\", \"data\"}");
        }
        ObjectNode document = (ObjectNode) Node.open(patched, work);
        Node newName = document.get("name");
        if (!(newName instanceof Raw raw)
                || raw.kind() != Node.Kind.STRING
                || !JsonText.decode(raw.source.buf, raw.from, raw.to).equals(name)) {
            throw new PatchRefused("a patch cannot rename an app; \"name\" must stay \"" + name + "\"");
        }
        Node data = document.get("data");
        if (data == null) {
            throw new PatchRefused("a patch cannot remove \"data\"");
        }
        if (document.size() != 2) {
            List<String> added = new ArrayList<>();
            document.forEach((member, token, value) -> {
                if (!member.equals("name") && !member.equals("data")) {
                    added.add(member);
                }
            });
            throw new PatchRefused("an app has only \"name\" and \"data\"; the patch added " + listed(added));
        }
        return data;
    }

    /**
     * The first {@link #LISTED} of {@code names} as JSON strings ({@code "extra", "more"}), so that an empty
     * name or one with a comma or quote reads as what it is; a patch may add many, the message names a few.
     */
    private static String listed(List<String> names) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(LISTED, names.size()); i++) {
            out.append(i == 0 ? "" : ", ").append(new String(JsonText.quote(names.get(i)), StandardCharsets.UTF_8));
        }
        return names.size() > LISTED ? out + " and " + (names.size() - LISTED) + " more" : out.toString();
    }

    private static byte[] result(Node data, byte[] old, long maxBytes, Work work) {
        if (data instanceof Raw raw && raw.isAll(old)) {
            return old;
        }
        // Written as the data of a PUT body {"data": ...}: its containers open at level 2.
        byte[] written = Output.write(data, 2, maxBytes, work);
        return Arrays.equals(written, old) ? old : written; // opened to look (a test), but changed nothing
    }

    /** Checks and compacts a patch body; a member named twice in one object makes it ambiguous, so no patch. */
    private static byte[] read(byte[] body) {
        byte[] json = CompactJson.compact(body);
        refuseRepeatedNames(Raw.of(json), new Work(0, json.length));
        return json;
    }

    private static void refuseRepeatedNames(Node value, Work work) {
        if (value.kind() == Node.Kind.OBJECT) {
            ObjectNode object = ObjectNode.of((Raw) value, work);
            String repeated = object.repeatedName();
            if (repeated != null) {
                throw new BadPatch("the patch names the member \"" + repeated + "\" twice in one object");
            }
            object.forEach((name, token, member) -> refuseRepeatedNames(member, work));
        } else if (value.kind() == Node.Kind.ARRAY) {
            ArrayNode array = ArrayNode.of((Raw) value, work);
            for (int i = 0; i < array.size(); i++) {
                refuseRepeatedNames(array.get(i), work);
            }
        }
    }
}
