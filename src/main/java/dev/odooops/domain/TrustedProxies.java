package dev.odooops.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who the client of an HTTP request is, behind reverse proxies ({@code http.trusted-proxies}): the connection's
 * address, unless that is a trusted proxy; then the {@code X-Forwarded-For} entries are read from the right (each
 * proxy appends the address it received from) and the first one that is not a trusted proxy is the client. A header
 * from anyone else is ignored: it is the client's own word. Entries are IP addresses or CIDR ranges (IPv4 or IPv6);
 * nothing is ever looked up in DNS.
 */
public final class TrustedProxies {
    private static final Pattern LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** One trusted address or range. */
    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) return false;
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((address[i / 8] & mask) != (network[i / 8] & mask)) return false;
            }
            return true;
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    /**
     * The ranges of a comma-separated list ({@code 127.0.0.1, 10.0.0.0/8, ::1}); blank means none.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or a range
     */
    public static TrustedProxies parse(String list) {
        if (list == null || list.isBlank()) return NONE;
        List<Range> out = new ArrayList<>();
        for (String raw : list.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            int slash = entry.indexOf('/');
            byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
            if (address == null) throw new IllegalArgumentException("'" + entry + "' is not an IP address or a CIDR range");
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("'" + entry + "': the prefix length must be 0 to " + address.length * 8);
                }
            }
            out.add(new Range(address, bits));
        }
        return new TrustedProxies(out);
    }

    /** True when {@code address} (an IP literal) is a trusted proxy. */
    public boolean trusts(String address) {
        byte[] a = literal(address);
        if (a == null) return false;
        for (Range r : ranges) if (r.contains(a)) return true;
        return false;
    }

    /**
     * The client of a request that came from {@code remote} with the {@code X-Forwarded-For} value {@code forwardedFor}
     * (may be null); when every forwarded entry is a trusted proxy, the leftmost.
     */
    public String client(String remote, String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank() || !trusts(remote)) return remote;
        String[] hops = forwardedFor.split(",");
        String client = remote;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (hop.isEmpty()) continue;
            client = hop;
            if (!trusts(hop)) break;
        }
        return client.length() > 64 ? client.substring(0, 64) : client; // a key of the limiter, not a free text
    }

    /** The bytes of an IP literal, or null for anything else (never a DNS lookup). */
    private static byte[] literal(String s) {
        if (s == null) return null;
        String a = s.trim();
        if (a.startsWith("[") && a.endsWith("]")) a = a.substring(1, a.length() - 1);
        if (!LITERAL.matcher(a).matches()) return null;
        boolean v6 = a.contains(":");
        if (!v6) {
            for (String octet : a.split("\\.")) if (Integer.parseInt(octet) > 255) return null;
        }
        try {
            // bracketed, an IPv6 text that does not parse is refused, never sent to DNS
            byte[] b = InetAddress.getByName(v6 ? "[" + a + "]" : a).getAddress();
            // an IPv4-mapped IPv6 address (::ffff:10.0.0.1) is that IPv4 address
            if (b.length == 16 && isMapped(b)) return java.util.Arrays.copyOfRange(b, 12, 16);
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
