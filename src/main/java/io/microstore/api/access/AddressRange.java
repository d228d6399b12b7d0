package io.microstore.api.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address or a CIDR block ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code fd00::/8}), as
 * {@code security.trusted-proxies} lists them.
 */
public record AddressRange(byte[] network, int prefixBits) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Hex digits and colons, an IPv4 tail allowed; no zone (a proxy forwards no link-local client). */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** Reads {@code text}; throws IllegalArgumentException, with the text, when it is not one. */
    public static AddressRange parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("not an IP address or CIDR block: " + text);
        }
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + text);
            }
        }
        return new AddressRange(bytes, bits);
    }

    /**
     * The address an IP literal spells, else null; never a host name's, so never a DNS lookup (the
     * request's thread must not wait on one, nor a client make us send them).
     */
    public static InetAddress literal(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && (text.indexOf(':') < 0 || !IPV6.matcher(text).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefixBits; bit += 8) {
            int mask = prefixBits - bit >= 8 ? 0xff : 0xff << (8 - (prefixBits - bit)) & 0xff;
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
