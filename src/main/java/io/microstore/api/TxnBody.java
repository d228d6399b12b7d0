package io.microstore.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Transaction;
import io.microstore.store.TxnRefused;

/**
 * The body of {@code POST /api/txn}: a JSON array of 1 to {@link Transaction#MAX_COMMANDS} operations,
 * each an object with {@code op} ({@code put}, {@code delete}, {@code patch} or {@code check}), the app's
 * {@code name}, {@code data} (put), {@code merge} (patch: an RFC 7396 merge patch of the data) and the
 * optional conditions {@code if_match} / {@code if_none_match}, written as the header would be. A
 * malformed operation is refused (400) with its index; no app may appear twice.
 */
final class TxnBody {
    private static final Set<String> OPS = Set.of("put", "delete", "patch", "check");
    private static final Set<String> MEMBERS = Set.of("op", "name", "data", "merge", "if_match", "if_none_match", "ttl");

    private final Patches patches;

    TxnBody(Patches patches) {
        this.patches = patches;
    }

    /** The transaction {@code body} asks for. */
    Transaction parse(byte[] body) {
        List<byte[]> elements = CompactJson.elements(body);
        if (elements.isEmpty()) {
            throw new BadRequest("the transaction is empty: send a JSON array of 1 to " + Transaction.MAX_COMMANDS
                    + " operations");
        }
        if (elements.size() > Transaction.MAX_COMMANDS) {
            throw new BadRequest("the transaction has " + elements.size() + " operations; at most "
                    + Transaction.MAX_COMMANDS + " are allowed");
        }
        List<Command> commands = new ArrayList<>(elements.size());
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < elements.size(); i++) {
            Command command;
            try {
                command = operation(elements.get(i));
            } catch (BadRequest e) {
                throw new TxnRefused(i, e);
            }
            Integer earlier = names.putIfAbsent(command.name(), i);
            if (earlier != null) {
                throw new TxnRefused(i, new BadRequest("app '" + command.name() + "' is operation " + earlier
                        + " already: an app may appear once in a transaction"));
            }
            commands.add(command);
        }
        return new Transaction(commands);
    }

    private Command operation(byte[] json) {
        if (json[0] != '{') {
            throw new BadRequest("an operation must be a JSON object like {\"op\":\"put\",\"name\":\"a\",\"data\":1}");
        }
        Map<String, byte[]> members = CompactJson.members(json);
        for (String member : members.keySet()) {
            if (!MEMBERS.contains(member)) {
                throw new BadRequest("unknown member \"" + member + "\"; an operation has op, name, data (put), "
                        + "merge (patch), if_match and if_none_match");
            }
        }
        // --- expiry (ttl): not in this build yet; the one place to wire it in ---
        if (members.containsKey("ttl")) {
            throw new BadRequest("ttl is not supported here yet");
        }
        // ---
        String op = string(members, "op");
        if (op == null || !OPS.contains(op)) {
            throw new BadRequest("\"op\" must be one of put, delete, patch, check");
        }
        String name = string(members, "name");
        if (name == null) {
            throw new BadRequest("\"name\" must be the app's name, a JSON string");
        }
        only(members, "data", op, "put");
        only(members, "merge", op, "patch");
        Precondition precondition = precondition(members);
        return switch (op) {
            case "put" -> new Command.Put(name, members.get("data"), precondition);
            case "delete" -> new Command.Delete(name, precondition);
            case "patch" -> new Command.Patch(name, patches.mergeData(members.get("merge")), precondition);
            default -> {
                if (precondition == Precondition.NONE) {
                    throw new BadRequest("a check needs if_match or if_none_match");
                }
                yield new Command.Check(name, precondition);
            }
        };
    }

    /** {@code member} is required for the op {@code owner} and refused for the others. */
    private static void only(Map<String, byte[]> members, String member, String op, String owner) {
        if (op.equals(owner) && !members.containsKey(member)) {
            throw new BadRequest("a " + owner + " needs \"" + member + "\"");
        }
        if (!op.equals(owner) && members.containsKey(member)) {
            throw new BadRequest("\"" + member + "\" belongs to a " + owner + ", not to a " + op);
        }
    }

    /** {@code if_match} and {@code if_none_match}, each a string as its header would be, read by {@link EntityTags}. */
    private static Precondition precondition(Map<String, byte[]> members) {
        List<String> ifMatch = tags(members, "if_match", false);
        List<String> ifNoneMatch = tags(members, "if_none_match", true);
        return ifMatch == null && ifNoneMatch == null ? Precondition.NONE : new Precondition(ifMatch, ifNoneMatch);
    }

    private static List<String> tags(Map<String, byte[]> members, String member, boolean weakCompare) {
        if (!members.containsKey(member)) {
            return null;
        }
        String value = string(members, member);
        if (value == null) {
            throw new BadRequest("\"" + member + "\" must be a string written as the header would be: "
                    + "\"\\\"17\\\"\", \"\\\"17\\\", \\\"18\\\"\" or \"*\"");
        }
        return EntityTags.parse(member, List.of(value), weakCompare);
    }

    /** A member's string value, or null when it is absent or no string. */
    private static String string(Map<String, byte[]> members, String member) {
        byte[] value = members.get(member);
        return value == null || value[0] != '"' ? null : JsonText.decode(value, 0, value.length);
    }
}
