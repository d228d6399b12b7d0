package io.microstore.store.query;

/**
 * An exact decimal read from JSON number text: {@code 0.digits × 10^exp} with the digits stripped of leading and
 * trailing zeros, so 1, 1.0, 1e0 and 10e-1 are one value and -0 is 0. Comparing looks at the sign, then the
 * exponent, then the digits, so it never expands a huge exponent (1e999999999 costs what 1e9 costs), unlike
 * rescaling a BigDecimal. Exponents beyond ±10^17 are clamped there: no real document holds one.
 */
final class Num implements Comparable<Num> {
    private static final long EXP_LIMIT = 100_000_000_000_000_000L;
    /** What {@link #small} and {@link #smallInteger} answer for a number they do not hold as a long. */
    static final long NOT_SMALL = Long.MIN_VALUE;
    /** Most digits a small integer has: any 18 digits fit in a long. */
    private static final int SMALL_DIGITS = 18;

    final int sign; // -1, 0 or 1
    final String digits; // no leading or trailing zero; empty for zero
    final long exp;

    private Num(int sign, String digits, long exp) {
        this.sign = sign;
        this.digits = digits;
        this.exp = exp;
    }

    /** Reads valid JSON number text {@code buf[from, to)}. */
    static Num parse(byte[] buf, int from, int to) {
        int i = from;
        boolean negative = buf[i] == '-';
        if (negative) {
            i++;
        }
        StringBuilder d = new StringBuilder(to - i);
        long pointAt = 0; // digits before the decimal point, leading zeros dropped
        boolean leading = true;
        boolean fraction = false;
        for (; i < to; i++) {
            byte b = buf[i];
            if (b == '.') {
                fraction = true;
            } else if (b == 'e' || b == 'E') {
                break;
            } else if (leading && b == '0') {
                if (fraction) {
                    pointAt--; // 0.001: each zero after the point moves the point left
                }
            } else {
                leading = false;
                d.append((char) b);
                if (!fraction) {
                    pointAt++;
                }
            }
        }
        long e = 0;
        if (i < to) { // the exponent
            i++;
            boolean eNegative = buf[i] == '-';
            if (buf[i] == '-' || buf[i] == '+') {
                i++;
            }
            for (; i < to; i++) {
                e = Math.min(EXP_LIMIT, e * 10 + (buf[i] - '0'));
            }
            if (eNegative) {
                e = -e;
            }
        }
        int end = d.length();
        while (end > 0 && d.charAt(end - 1) == '0') {
            end--;
        }
        if (end == 0) {
            return new Num(0, "", 0);
        }
        long exp = Math.max(-2 * EXP_LIMIT, Math.min(2 * EXP_LIMIT, pointAt + e));
        return new Num(negative ? -1 : 1, d.substring(0, end), exp);
    }

    /**
     * The value of valid JSON number text {@code buf[from, to)} when it is written as an integer of at most 18
     * digits (no fraction, no exponent), else {@link #NOT_SMALL}: the scan compares those in place, without parsing
     * a {@code Num}. "-0" is 0.
     */
    static long smallInteger(byte[] buf, int from, int to) {
        int i = from;
        boolean negative = buf[i] == '-';
        if (negative) {
            i++;
        }
        if (to - i > SMALL_DIGITS) {
            return NOT_SMALL;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_SMALL;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /** This number as a long when it is an integer of at most 18 digits, else {@link #NOT_SMALL}. */
    long small() {
        if (sign == 0) {
            return 0;
        }
        if (exp < digits.length() || exp > SMALL_DIGITS) {
            return NOT_SMALL;
        }
        long v = Long.parseLong(digits);
        for (long k = digits.length(); k < exp; k++) {
            v *= 10;
        }
        return sign * v;
    }

    @Override
    public int compareTo(Num o) {
        if (sign != o.sign) {
            return Integer.compare(sign, o.sign);
        }
        if (sign == 0) {
            return 0;
        }
        int c = exp != o.exp ? Long.compare(exp, o.exp) : digits.compareTo(o.digits);
        return sign * c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Num n && compareTo(n) == 0;
    }

    @Override
    public int hashCode() {
        return digits.hashCode() * 31 + Long.hashCode(exp) + sign;
    }

    /** One spelling for every equal number, for canonical text: {@code -0.123e4}. */
    @Override
    public String toString() {
        return sign == 0 ? "0" : (sign < 0 ? "-" : "") + "0." + digits + "e" + exp;
    }
}
