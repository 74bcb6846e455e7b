package dev.flowrec.query;

import dev.flowrec.journal.schema.DnsAnswerDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The names the host's resolver was given for addresses, from the journal's DnsAnswer events in journal order: an
 * address is named by the question of the latest answer that gave it before an instant, as long as that instant is
 * within the answer's TTL plus {@link #GRACE_NS} (clients keep an address a while after its TTL: a connection opened
 * then is still to the name that gave it). An answer to the flow's other end (the address that asked is the one the
 * flow connects the named address with: a container that resolved its own name for a shared CDN address) wins over
 * one to another client; then an answer seen on the flow's own interface wins over one seen elsewhere (a container's
 * resolver is its own; the host's answers cross the host's interfaces); then the latest.
 * <p>
 * Memory is bounded: at most {@link #MAX_ADDRESSES} addresses, each with its latest {@link #ANSWERS_PER_ADDRESS}
 * answers; beyond, the address answered least recently is forgotten and counted ({@link #evicted()}). Answers are
 * kept across recorder runs (a name outlives the run that saw it). A lookup allocates nothing; an answer allocates its
 * names once (interned). Single-threaded.
 */
public final class PeerNames
{
    /** How long after an answer's TTL ran out the answer still names its addresses: 5 minutes. */
    public static final long GRACE_NS = 300_000_000_000L;
    /** The most addresses kept at once. */
    public static final int MAX_ADDRESSES = 1 << 18;
    /** The answers kept per address, the latest. */
    static final int ANSWERS_PER_ADDRESS = 4;
    private static final long NS_PER_S = 1_000_000_000L;

    /** One address's latest answers, in a ring; linked by last answer for eviction, and by low half on collision. */
    private static final class Entry
    {
        final long high;
        final long low;
        Entry sameLow;
        Entry older;
        Entry newer;
        final String[] names = new String[ANSWERS_PER_ADDRESS];
        final long[] sinceNs = new long[ANSWERS_PER_ADDRESS];
        final long[] untilNs = new long[ANSWERS_PER_ADDRESS];
        final int[] ifindex = new int[ANSWERS_PER_ADDRESS];
        final long[] clientHigh = new long[ANSWERS_PER_ADDRESS];
        final long[] clientLow = new long[ANSWERS_PER_ADDRESS];
        int next;

        Entry(final long high, final long low)
        {
            this.high = high;
            this.low = low;
        }
    }

    private final DnsAnswerDecoder answer = new DnsAnswerDecoder();
    private final Long2ObjectHashMap<Entry> byLow = new Long2ObjectHashMap<>();
    private final Map<String, String> interned = new HashMap<>();
    private final int maxAddresses;
    private Entry oldest;
    private Entry newest;
    private int size;
    private long evicted;
    private long answers;

    public PeerNames()
    {
        this(MAX_ADDRESSES);
    }

    /** @param maxAddresses the most addresses kept at once */
    public PeerNames(final int maxAddresses)
    {
        this.maxAddresses = maxAddresses;
    }

    /** Keeps the addresses of the DnsAnswer event at {@code offset} (its header) in {@code buffer}. */
    public void onDnsAnswer(final DirectBuffer buffer, final int offset)
    {
        final DnsAnswerDecoder a = MessageHeader.wrap(answer, buffer, offset);
        final long timeNs = a.timeNs();
        final int ifindex = a.ifindex();
        final long clientHigh = a.buffer().getLong(a.offset() + DnsAnswerDecoder.clientAddrEncodingOffset(),
            ByteOrder.BIG_ENDIAN);
        final long clientLow = a.buffer().getLong(a.offset() + DnsAnswerDecoder.clientAddrEncodingOffset() + 8,
            ByteOrder.BIG_ENDIAN);
        final String name = intern(a.queryName());
        a.skipFinalName();
        final int length = a.addressesLength();
        final int at = a.limit() + DnsAnswerDecoder.addressesHeaderLength();
        final DirectBuffer b = a.buffer();
        for (int i = 0; i + Templates.DNS_ADDRESS_LENGTH <= length && at + i + 20 <= b.capacity();
            i += Templates.DNS_ADDRESS_LENGTH)
        {
            final long ttl = b.getInt(at + i, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            final long high = b.getLong(at + i + 4, ByteOrder.BIG_ENDIAN);
            final long low = b.getLong(at + i + 12, ByteOrder.BIG_ENDIAN);
            put(high, low, name, ifindex, clientHigh, clientLow, timeNs, timeNs + ttl * NS_PER_S + GRACE_NS);
        }
        answers++;
    }

    /**
     * @return the name of the address (two big-endian halves, IPv4 v4-mapped) at {@code atNs} for a flow on
     * {@code ifindex}, "" when no answer in force names it
     */
    public String nameOf(final long high, final long low, final int ifindex, final long atNs)
    {
        return nameOf(high, low, ifindex, atNs, 0, 0);
    }

    /**
     * @return the name of the address (two big-endian halves, IPv4 v4-mapped) at {@code atNs} for a flow on
     * {@code ifindex} between it and the address {@code peerHigh}, {@code peerLow} (the flow's other end), "" when no
     * answer in force names it
     */
    public String nameOf(final long high, final long low, final int ifindex, final long atNs, final long peerHigh,
        final long peerLow)
    {
        Entry e = byLow.get(low);
        while (e != null && e.high != high)
        {
            e = e.sameLow;
        }
        if (e == null)
        {
            return "";
        }
        int best = -1;
        int bestRank = -1;
        for (int i = 0; i < ANSWERS_PER_ADDRESS; i++)
        {
            if (e.names[i] == null || e.sinceNs[i] > atNs || e.untilNs[i] < atNs)
            {
                continue;
            }
            final int rank = (e.clientHigh[i] == peerHigh && e.clientLow[i] == peerLow ? 2 : 0) |
                (e.ifindex[i] == ifindex ? 1 : 0);
            if (rank > bestRank || rank == bestRank && e.sinceNs[i] > e.sinceNs[best])
            {
                best = i;
                bestRank = rank;
            }
        }
        return best < 0 ? "" : e.names[best];
    }

    /** Addresses forgotten to keep the table within its bound. */
    public long evicted()
    {
        return evicted;
    }

    /** DnsAnswer events read. */
    public long answers()
    {
        return answers;
    }

    public int size()
    {
        return size;
    }

    private void put(final long high, final long low, final String name, final int ifindex, final long clientHigh,
        final long clientLow, final long sinceNs, final long untilNs)
    {
        Entry e = byLow.get(low);
        while (e != null && e.high != high)
        {
            e = e.sameLow;
        }
        if (e == null)
        {
            if (size == maxAddresses)
            {
                evict(oldest);
            }
            e = new Entry(high, low);
            final Entry head = byLow.get(low);
            e.sameLow = head;
            byLow.put(low, e);
            size++;
        }
        else
        {
            unlink(e);
        }
        link(e);
        for (int i = 0; i < ANSWERS_PER_ADDRESS; i++)
        {
            // The same answer again (a cache's repeat, or the same response seen on a second interface): extend it.
            if (name.equals(e.names[i]) && e.ifindex[i] == ifindex && e.clientHigh[i] == clientHigh &&
                e.clientLow[i] == clientLow && e.untilNs[i] >= sinceNs && e.sinceNs[i] <= sinceNs)
            {
                e.untilNs[i] = Math.max(e.untilNs[i], untilNs);
                return;
            }
        }
        final int slot = e.next;
        e.next = (slot + 1) % ANSWERS_PER_ADDRESS;
        e.names[slot] = name;
        e.ifindex[slot] = ifindex;
        e.sinceNs[slot] = sinceNs;
        e.untilNs[slot] = untilNs;
        e.clientHigh[slot] = clientHigh;
        e.clientLow[slot] = clientLow;
    }

    private void evict(final Entry e)
    {
        unlink(e);
        Entry head = byLow.get(e.low);
        if (head == e)
        {
            if (e.sameLow == null)
            {
                byLow.remove(e.low);
            }
            else
            {
                byLow.put(e.low, e.sameLow);
            }
        }
        else
        {
            while (head.sameLow != e)
            {
                head = head.sameLow;
            }
            head.sameLow = e.sameLow;
        }
        size--;
        evicted++;
    }

    private void link(final Entry e)
    {
        e.older = newest;
        e.newer = null;
        if (newest != null)
        {
            newest.newer = e;
        }
        newest = e;
        if (oldest == null)
        {
            oldest = e;
        }
    }

    private void unlink(final Entry e)
    {
        if (e.older != null)
        {
            e.older.newer = e.newer;
        }
        else
        {
            oldest = e.newer;
        }
        if (e.newer != null)
        {
            e.newer.older = e.older;
        }
        else
        {
            newest = e.older;
        }
        e.older = null;
        e.newer = null;
    }

    private String intern(final String name)
    {
        if (interned.size() >= 2 * maxAddresses)
        {
            // Bounded whatever the answers: many names for few addresses (random subdomains) would otherwise grow it
            // without an eviction. Names are shared to save memory, not for identity: starting over is safe.
            interned.clear();
        }
        return interned.computeIfAbsent(name, n -> n);
    }
}
