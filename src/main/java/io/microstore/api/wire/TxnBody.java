package io.microstore.api.wire;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.helidon.http.BadRequestException;
import io.microstore.json.BadPatch;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.RepeatedMember;
import io.microstore.store.Command;
import io.microstore.store.Op;
import io.microstore.store.Precondition;
import io.microstore.store.Transaction;
import io.microstore.store.TxnRefused;

/**
 * The body of {@code POST /api/txn}: a JSON array of 1 to {@link Transaction#MAX_COMMANDS} operations,
 * each an object with {@code op} ({@code put}, {@code delete}, {@code patch} or {@code check}), the app's
 * {@code name}, {@code data} (put), {@code merge} (patch: an RFC 7396 merge patch of the data), {@code ttl}
 * (put: seconds to live, as {@code PUT ?ttl=}) and the optional conditions {@code if_match} / {@code if_none_match}, written as the header would be. A
 * malformed operation is refused (400) with its index; no app may appear twice.
 */
public final class TxnBody {
    private static final Set<String> MEMBERS =
            Set.of("op", "name", "data", "merge", "if_match", "if_none_match", "ttl");

    private final Patches patches;
    private final Function<Duration, Long> expiresIn;

    /** {@code expiresIn}: the deadline of a value written now with a time to live ({@link io.microstore.store.Store#expiresIn}). */
    public TxnBody(Patches patches, Function<Duration, Long> expiresIn) {
        this.patches = patches;
        this.expiresIn = expiresIn;
    }

    /** The transaction {@code body} asks for. */
    public Transaction parse(byte[] body) {
        List<byte[]> elements = CompactJson.elements(body);
        Transaction.checkSize(elements.size());
        List<Command> commands = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            try {
                commands.add(operation(elements.get(i)));
            } catch (BadRequestException | BadPatch | RepeatedMember e) {
                throw new TxnRefused(i, e);
            }
        }
        return new Transaction(commands); // an app named twice is refused there, with its index
    }

    private Command operation(byte[] json) {
        if (json[0] != '{') {
            throw new BadRequestException(
                    "an operation must be a JSON object like {\"op\":\"put\",\"name\":\"a\",\"data\":1}");
        }
        Map<String, byte[]> members = CompactJson.members(json);
        for (String member : members.keySet()) {
            if (!MEMBERS.contains(member)) {
                throw new BadRequestException("unknown member \"" + member + "\"; an operation has op, name, data and "
                        + "ttl (put), merge (patch), if_match and if_none_match");
            }
        }
        Op op = Op.named(string(members, "op"));
        if (op == null) {
            throw new BadRequestException("\"op\" must be one of put, delete, patch, check");
        }
        String name = string(members, "name");
        if (name == null) {
            throw new BadRequestException("\"name\" must be the app's name, a JSON string");
        }
        only(members, "data", op, Op.PUT);
        only(members, "merge", op, Op.PATCH);
        if (members.containsKey("ttl") && op != Op.PUT) {
            throw new BadRequestException("\"ttl\" belongs to a put, not to a " + op.wireName());
        }
        Precondition precondition = precondition(members);
        return switch (op) {
            case PUT -> new Command.Put(name, members.get("data"), precondition, expires(members.get("ttl")));
            case DELETE -> new Command.Delete(name, precondition);
            case PATCH -> new Command.Patch(name, patches.mergeData(members.get("merge")), precondition);
            case CHECK -> {
                if (precondition == Precondition.NONE) {
                    throw new BadRequestException("a check needs if_match or if_none_match");
                }
                yield new Command.Check(name, precondition);
            }
        };
    }

    /** The deadline of a put's {@code ttl} member (a JSON number of seconds), or 0 without one. */
    private long expires(byte[] ttl) {
        return ttl == null ? 0 : expiresIn.apply(Expiry.ttl(new String(ttl, StandardCharsets.US_ASCII)));
    }

    /** {@code member} is required for the op {@code owner} and refused for the others. */
    private static void only(Map<String, byte[]> members, String member, Op op, Op owner) {
        if (op == owner && !members.containsKey(member)) {
            throw new BadRequestException("a " + owner.wireName() + " needs \"" + member + "\"");
        }
        if (op != owner && members.containsKey(member)) {
            throw new BadRequestException(
                    "\"" + member + "\" belongs to a " + owner.wireName() + ", not to a " + op.wireName());
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
            throw new BadRequestException("\"" + member + "\" must be a string written as the header would be: "
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
