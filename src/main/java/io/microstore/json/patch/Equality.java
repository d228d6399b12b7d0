package io.microstore.json.patch;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.PatchRefused;

/**
 * RFC 6902's {@code test}: whether two JSON values are equal. Objects by their members whatever the
 * order, arrays element by element, strings by the characters their escapes stand for, and numbers by
 * their value ({@code 1}, {@code 1.0} and {@code 10e-1} are equal), read exactly from their text, so a
 * number no machine type can hold is compared too.
 */
final class Equality {
    private final Work work;

    Equality(Work work) {
        this.work = work;
    }

    boolean equal(Node a, Node b) {
        return equal(a, b, 1);
    }

    private boolean equal(Node a, Node b, int depth) {
        if (depth > CompactJson.MAX_DEPTH) {
            throw new PatchRefused("a test compares values nested deeper than " + CompactJson.MAX_DEPTH + " levels");
        }
        if (a instanceof Raw ra && b instanceof Raw rb) {
            work.charge(Math.min(ra.length(), rb.length()));
            if (ra.sameBytes(rb)) {
                return true;
            }
        }
        if (a.kind() != b.kind()) {
            return false;
        }
        return switch (a.kind()) {
            case OBJECT -> objects((ObjectNode) Node.open(a, work), (ObjectNode) Node.open(b, work), depth);
            case ARRAY -> arrays((ArrayNode) Node.open(a, work), (ArrayNode) Node.open(b, work), depth);
            case STRING -> string((Raw) a).equals(string((Raw) b));
            case NUMBER -> Decimal.of((Raw) a).equals(Decimal.of((Raw) b));
            default -> true; // true, false and null are equal to themselves
        };
    }

    private boolean objects(ObjectNode a, ObjectNode b, int depth) {
        if (a.size() != b.size()) {
            return false;
        }
        boolean[] same = {true};
        a.forEach((name, token, value) -> {
            if (same[0]) {
                Node other = b.get(name);
                same[0] = other != null && equal(value, other, depth + 1);
            }
        });
        return same[0];
    }

    private boolean arrays(ArrayNode a, ArrayNode b, int depth) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            work.charge(1);
            if (!equal(a.get(i), b.get(i), depth + 1)) {
                return false;
            }
        }
        return true;
    }

    private String string(Raw raw) {
        work.charge(raw.length());
        return JsonText.decode(raw.source.buf, raw.from, raw.to);
    }

    /**
     * A JSON number's value as sign, significant digits and the exponent of the last one: {@code -12.50e3}
     * is (-, "125", 1). Zero is ("", 0) whatever its sign. An exponent too long to add up exactly keeps its
     * text, so such numbers are equal only when written alike.
     */
    private record Decimal(boolean negative, String digits, Object exponent) {
        static Decimal of(Raw raw) {
            String text = new String(raw.source.buf, raw.from, raw.length(), StandardCharsets.US_ASCII);
            int e = Math.max(text.indexOf('e'), text.indexOf('E'));
            String mantissa = e < 0 ? text : text.substring(0, e);
            boolean negative = mantissa.startsWith("-");
            int dot = mantissa.indexOf('.');
            String whole = mantissa.substring(negative ? 1 : 0, dot < 0 ? mantissa.length() : dot);
            String fraction = dot < 0 ? "" : mantissa.substring(dot + 1);
            String digits = stripLeadingZeros(whole + fraction);
            int trailing = 0;
            while (trailing < digits.length() && digits.charAt(digits.length() - 1 - trailing) == '0') {
                trailing++;
            }
            digits = digits.substring(0, digits.length() - trailing);
            if (digits.isEmpty()) {
                return new Decimal(false, "", BigInteger.ZERO);
            }
            String exponentText = e < 0 ? "0" : text.substring(e + 1).replace("+", "");
            if (exponentText.length() > 30) {
                return new Decimal(negative, digits, text); // compared as written
            }
            BigInteger exponent = new BigInteger(exponentText)
                    .subtract(BigInteger.valueOf(fraction.length()))
                    .add(BigInteger.valueOf(trailing));
            return new Decimal(negative, digits, exponent);
        }

        private static String stripLeadingZeros(String s) {
            int i = 0;
            while (i < s.length() && s.charAt(i) == '0') {
                i++;
            }
            return s.substring(i);
        }
    }
}
