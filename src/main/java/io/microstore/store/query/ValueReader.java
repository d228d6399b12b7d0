package io.microstore.store.query;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import io.microstore.json.CodePoints;
import io.microstore.json.JsonText;

/** A recursive reader of valid compact JSON into {@link Value}s. */
final class ValueReader {
    private final byte[] buf;
    private final String strict; // null, or where the selector is, to name it when a member name repeats
    private int pos;

    ValueReader(byte[] buf, int pos, String strict) {
        this.buf = buf;
        this.pos = pos;
        this.strict = strict;
    }

    Value value() {
        byte b = buf[pos];
        switch (b) {
            case 'n' -> {
                pos += 4;
                return Value.NULL;
            }
            case 't' -> {
                pos += 4;
                return Value.TRUE;
            }
            case 'f' -> {
                pos += 5;
                return Value.FALSE;
            }
            case '"' -> {
                int end = Bytes.skip(buf, pos);
                String s = JsonText.decode(buf, pos, end);
                pos = end;
                return Value.string(s);
            }
            case '[' -> {
                pos++;
                List<Value> items = new ArrayList<>();
                if (buf[pos] == ']') {
                    pos++;
                    return Value.array(items);
                }
                while (true) {
                    items.add(value());
                    if (buf[pos++] == ']') {
                        return Value.array(items);
                    }
                }
            }
            case '{' -> {
                pos++;
                TreeMap<String, Value> members = new TreeMap<>(CodePoints.ORDER);
                if (buf[pos] == '}') {
                    pos++;
                    return Value.object(members);
                }
                while (true) {
                    int end = Bytes.skip(buf, pos);
                    String name = JsonText.decode(buf, pos, end);
                    pos = end + 1; // the colon
                    if (members.put(name, value()) != null && strict != null) { // else the last one wins
                        throw new BadQuery(strict + ": the member name " + Value.string(name) + " is repeated");
                    }
                    if (buf[pos++] == '}') {
                        return Value.object(members);
                    }
                }
            }
            default -> {
                int end = Bytes.skip(buf, pos);
                Num n = Num.parse(buf, pos, end);
                pos = end;
                return Value.number(n);
            }
        }
    }
}
