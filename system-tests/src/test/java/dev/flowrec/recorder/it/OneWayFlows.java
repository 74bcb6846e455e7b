package dev.flowrec.recorder.it;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One-way flows keyed by proto/src/sport/dst/dport, with their packets and bytes summed over every row
 * of that key, and the directions and interfaces the rows named. Read from the CSV of
 * {@code flowrec query} or of {@code scripts/it/pcap-flows}.
 */
final class OneWayFlows
{
    static final String RECORDER_HEADER =
        "first_seen,last_seen,iface,container,direction,proto,src_addr,src_port,dst_addr,dst_port,packets,bytes,tcp_flags,pid,comm,src_name,dst_name";
    static final String ORACLE_HEADER = "proto,src_addr,src_port,dst_addr,dst_port,packets,bytes";

    record Key(String proto, String src, int sport, String dst, int dport) implements Comparable<Key>
    {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::proto).thenComparing(Key::src)
            .thenComparingInt(Key::sport).thenComparing(Key::dst).thenComparingInt(Key::dport);

        @Override
        public int compareTo(final Key o)
        {
            return ORDER.compare(this, o);
        }

        @Override
        public String toString()
        {
            return proto + " " + src + ":" + sport + " > " + dst + ":" + dport;
        }
    }

    static final class Flow
    {
        long packets;
        long bytes;
        int rows;
        final Set<String> directions = new TreeSet<>();
        final Set<String> ifaces = new TreeSet<>();
    }

    private final Map<Key, Flow> flows = new TreeMap<>();

    Map<Key, Flow> flows()
    {
        return flows;
    }

    Flow get(final Key key)
    {
        return flows.get(key);
    }

    /** Parses {@code flowrec query --format csv}; the header must be exactly the contract's. */
    static OneWayFlows fromRecorderCsv(final String csv)
    {
        final String[] lines = csv.split("\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals(RECORDER_HEADER))
        {
            throw new AssertionError("flowrec query CSV header differs from the contract\n  expected: " + RECORDER_HEADER +
                "\n  actual:   " + (lines.length == 0 ? "(nothing)" : lines[0]));
        }
        final OneWayFlows t = new OneWayFlows();
        for (int i = 1; i < lines.length; i++)
        {
            if (lines[i].isBlank())
            {
                continue;
            }
            final List<String> f = fields(lines[i]);
            if (f.size() != RECORDER_HEADER.split(",").length)
            {
                throw new AssertionError("flowrec query CSV line " + (i + 1) + " has " + f.size() + " fields: " + lines[i]);
            }
            t.add(new Key(f.get(5), f.get(6), port(f.get(7), lines[i]), f.get(8), port(f.get(9), lines[i])),
                number(f.get(10), lines[i]), number(f.get(11), lines[i]), f.get(4), f.get(2));
        }
        return t;
    }

    /** Parses {@code scripts/it/pcap-flows}. */
    static OneWayFlows fromOracleCsv(final String csv)
    {
        final String[] lines = csv.split("\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals(ORACLE_HEADER))
        {
            throw new AssertionError("pcap-flows printed no header: " + csv);
        }
        final OneWayFlows t = new OneWayFlows();
        for (int i = 1; i < lines.length; i++)
        {
            if (lines[i].isBlank())
            {
                continue;
            }
            final List<String> f = fields(lines[i]);
            t.add(new Key(f.get(0), f.get(1), port(f.get(2), lines[i]), f.get(3), port(f.get(4), lines[i])),
                number(f.get(5), lines[i]), number(f.get(6), lines[i]), null, null);
        }
        return t;
    }

    private void add(final Key key, final long packets, final long bytes, final String direction, final String iface)
    {
        final Flow f = flows.computeIfAbsent(key, k -> new Flow());
        f.packets += packets;
        f.bytes += bytes;
        f.rows++;
        if (direction != null)
        {
            f.directions.add(direction);
        }
        if (iface != null)
        {
            f.ifaces.add(iface);
        }
    }

    /**
     * Compares recorded flows with the oracle's, flow by flow: the same keys, the same packets and bytes,
     * each recorded flow on the one interface and in the direction expected of it. Returns "" when all
     * agree, else a table of every difference. A null iface or direction function checks counts only.
     */
    static String differences(final OneWayFlows expected, final OneWayFlows recorded, final String iface,
        final Function<Key, String> expectedDirection)
    {
        final Set<Key> keys = new TreeSet<>(expected.flows.keySet());
        keys.addAll(recorded.flows.keySet());
        final List<String[]> rows = new ArrayList<>();
        for (final Key k : keys)
        {
            final Flow e = expected.flows.get(k);
            final Flow r = recorded.flows.get(k);
            final List<String> problems = new ArrayList<>();
            if (e == null)
            {
                problems.add("not in capture");
            }
            else if (r == null)
            {
                problems.add("not recorded");
            }
            else
            {
                if (e.packets != r.packets)
                {
                    problems.add("packets " + signed(r.packets - e.packets));
                }
                if (e.bytes != r.bytes)
                {
                    problems.add("bytes " + signed(r.bytes - e.bytes));
                }
            }
            if (r != null && expectedDirection != null)
            {
                final String dir = expectedDirection.apply(k);
                if (!r.directions.equals(Set.of(dir)))
                {
                    problems.add("direction " + r.directions + ", expected " + dir);
                }
            }
            if (r != null && iface != null)
            {
                if (!r.ifaces.equals(Set.of(iface)))
                {
                    problems.add("iface " + r.ifaces + ", expected " + iface);
                }
            }
            if (!problems.isEmpty())
            {
                rows.add(new String[] {k.proto, k.src, Integer.toString(k.sport), k.dst, Integer.toString(k.dport),
                    e == null ? "-" : Long.toString(e.packets), e == null ? "-" : Long.toString(e.bytes),
                    r == null ? "-" : Long.toString(r.packets), r == null ? "-" : Long.toString(r.bytes),
                    String.join("; ", problems)});
            }
        }
        if (rows.isEmpty())
        {
            return "";
        }
        rows.addFirst(new String[] {"proto", "src", "sport", "dst", "dport", "exp.pkts", "exp.bytes", "rec.pkts", "rec.bytes", "difference"});
        return rows.size() - 1 + " of " + keys.size() + " flows differ (exp = capture oracle, rec = flowrec query):\n" + table(rows);
    }

    /** The whole table, for messages and logs. */
    String describe()
    {
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"proto", "src", "sport", "dst", "dport", "packets", "bytes", "dir", "iface"});
        flows.forEach((k, f) -> rows.add(new String[] {k.proto, k.src, Integer.toString(k.sport), k.dst,
            Integer.toString(k.dport), Long.toString(f.packets), Long.toString(f.bytes), String.join("/", f.directions),
            String.join("/", f.ifaces)}));
        return table(rows);
    }

    private static String table(final List<String[]> rows)
    {
        final int[] width = new int[rows.getFirst().length];
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        for (final String[] row : rows)
        {
            sb.append("  ");
            for (int i = 0; i < row.length; i++)
            {
                sb.append(row[i]).append(" ".repeat(width[i] - row[i].length() + 2));
            }
            sb.setLength(sb.length() - 2);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String signed(final long d)
    {
        return d > 0 ? "+" + d : Long.toString(d);
    }

    private static int port(final String s, final String line)
    {
        return (int)number(s, line);
    }

    private static long number(final String s, final String line)
    {
        try
        {
            return Long.parseLong(s.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new AssertionError("not a number '" + s + "' in CSV line: " + line);
        }
    }

    /** Splits one CSV line (RFC 4180 quoting). */
    static List<String> fields(final String line)
    {
        final List<String> out = new ArrayList<>();
        final StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quoted)
            {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"')
                {
                    cur.append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cur.append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                out.add(cur.toString());
                cur.setLength(0);
            }
            else if (c != '\r')
            {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
