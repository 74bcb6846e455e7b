package dev.flowrec.recorder.dns;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes a DNS response (RFC 1035) in place, allocating nothing: its question's name, the name its CNAME chain
 * ends at, and the A and AAAA records of that name with their TTLs. Input is hostile (any bytes a packet to or
 * from port 53 carried): every length is checked against the bytes that are there, a compression pointer must point
 * before the label that holds it and at most {@link #MAX_JUMPS} of them are followed per name, a name longer than
 * 255 bytes, a chain longer than {@link #MAX_CHAIN}, more than {@link #MAX_RECORDS} answers or
 * {@link #MAX_ADDRESSES} addresses are refused or cut; {@link #decode} returns what it found as an outcome and never
 * throws. A message cut short by the capture keeps the answers that arrived whole.
 * <p>
 * Names are kept as text, lower case, dot-separated, without the root's final dot; a label byte that is not a
 * printable ASCII character other than '.' and '\' is written as {@code \DDD} (as dig does). Single-threaded;
 * valid until the next {@link #decode}.
 */
public final class DnsMessage
{
    /** A response whose answers were all read. */
    public static final int OK = 0;
    /** The capture (or the TCP segment) held only the start of the message: the answers that arrived whole are kept. */
    public static final int CUT_SHORT = 1;
    /** Not a response with one question, or a length or a record that contradicts the message. */
    public static final int MALFORMED = 2;
    /** A name whose compression pointers loop, point forward or nest deeper than {@link #MAX_JUMPS}. */
    public static final int LOOPING = 3;
    /** More answers, addresses or CNAME links than kept: those within the bounds are kept. */
    public static final int OVERSIZED = 4;

    public static final int MAX_RECORDS = 256;
    public static final int MAX_ADDRESSES = 256;
    public static final int MAX_JUMPS = 16;
    public static final int MAX_CHAIN = 16;
    /** RFC 1035 2.3.4: a name's wire form, length octets included. */
    public static final int MAX_NAME_WIRE = 255;
    /** A name's text: every byte escaped as \DDD at worst. */
    public static final int MAX_NAME_TEXT = MAX_NAME_WIRE * 4;

    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    private static final int CLASS_IN = 1;
    private static final int HEADER = 12;
    private static final int QR = 0x8000;
    private static final int TC = 0x0200;
    /** Name decoding errors, below 0. */
    private static final int BAD = -1;
    private static final int LOOP = -2;
    private static final int SHORT = -3;

    private DirectBuffer buffer;
    private int start;
    private int end;
    private final UnsafeBuffer question = new UnsafeBuffer(new byte[MAX_NAME_TEXT]);
    private final UnsafeBuffer chain = new UnsafeBuffer(new byte[MAX_NAME_TEXT]);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_NAME_TEXT]);
    private int questionLength;
    private int chainLength;
    private int scratchLength;
    private int questionType;
    private int flags;
    private final int[] recordOffsets = new int[MAX_RECORDS];
    private final int[] recordTypes = new int[MAX_RECORDS];
    private final int[] recordRdata = new int[MAX_RECORDS];
    private final int[] recordRdLength = new int[MAX_RECORDS];
    private final long[] recordTtl = new long[MAX_RECORDS];
    private int records;
    private final UnsafeBuffer addresses = new UnsafeBuffer(new byte[MAX_ADDRESSES * 16]);
    private final long[] ttls = new long[MAX_ADDRESSES];
    private int addressCount;

    /**
     * Decodes the message of {@code length} bytes at {@code offset}; {@code wireLength} is its whole length (more than
     * {@code length} when only its start was captured).
     *
     * @return {@link #OK}, {@link #CUT_SHORT}, {@link #MALFORMED}, {@link #LOOPING} or {@link #OVERSIZED}; the names
     * and addresses are valid for OK, CUT_SHORT and OVERSIZED
     */
    public int decode(final DirectBuffer buffer, final int offset, final int length, final int wireLength)
    {
        this.buffer = buffer;
        this.start = offset;
        this.end = offset + Math.max(0, Math.min(length, buffer.capacity() - offset));
        questionLength = 0;
        chainLength = 0;
        records = 0;
        addressCount = 0;
        questionType = 0;
        flags = 0;
        final boolean cut = wireLength > length;
        if (end - start < HEADER)
        {
            return cut ? CUT_SHORT : MALFORMED;
        }
        flags = u16(start + 2);
        final int qdCount = u16(start + 4);
        final int anCount = u16(start + 6);
        if ((flags & QR) == 0 || qdCount != 1)
        {
            return MALFORMED;
        }
        int pos = readName(start + HEADER, question);
        if (pos < 0)
        {
            return failure(pos, cut);
        }
        questionLength = scratchLength;
        if (pos + 4 > end)
        {
            return cut ? CUT_SHORT : MALFORMED;
        }
        questionType = u16(pos);
        pos += 4;
        int outcome = OK;
        for (int i = 0; i < anCount; i++)
        {
            if (records == MAX_RECORDS)
            {
                outcome = OVERSIZED;
                break;
            }
            final int owner = pos;
            pos = readName(pos, scratch);
            if (pos < 0)
            {
                outcome = failure(pos, cut);
                break;
            }
            if (pos + 10 > end)
            {
                outcome = cut ? CUT_SHORT : MALFORMED;
                break;
            }
            final int type = u16(pos);
            final int rdLength = u16(pos + 8);
            if (pos + 10 + rdLength > end)
            {
                outcome = cut ? CUT_SHORT : MALFORMED;
                break;
            }
            if (u16(pos + 2) == CLASS_IN)
            {
                recordOffsets[records] = owner;
                recordTypes[records] = type;
                recordTtl[records] = buffer.getInt(pos + 4, ByteOrder.BIG_ENDIAN) & 0x7FFF_FFFFL; // RFC 2181 8
                recordRdata[records] = pos + 10;
                recordRdLength[records] = rdLength;
                records++;
            }
            pos += 10 + rdLength;
        }
        if (outcome == MALFORMED || outcome == LOOPING)
        {
            return outcome;
        }
        final int resolved = resolve();
        return resolved != OK ? resolved : outcome == OK && cut && anCount > records ? CUT_SHORT : outcome;
    }

    /** Follows the CNAME chain from the question's name, then keeps the addresses of the name it ends at. */
    private int resolve()
    {
        chain.putBytes(0, question, 0, questionLength);
        chainLength = questionLength;
        int links = 0;
        boolean moved = true;
        while (moved)
        {
            moved = false;
            for (int r = 0; r < records; r++)
            {
                if (recordTypes[r] != TYPE_CNAME || !ownerIsChain(r))
                {
                    continue;
                }
                if (++links > MAX_CHAIN)
                {
                    return OVERSIZED;
                }
                final int next = readName(recordRdata[r], chain);
                if (next < 0)
                {
                    return failure(next, false);
                }
                if (next > recordRdata[r] + recordRdLength[r])
                {
                    return MALFORMED;
                }
                chainLength = scratchLength;
                moved = true;
                break;
            }
        }
        int outcome = OK;
        for (int r = 0; r < records; r++)
        {
            final int type = recordTypes[r];
            if (type != TYPE_A && type != TYPE_AAAA || !ownerIsChain(r))
            {
                continue;
            }
            final int rdLength = recordRdLength[r];
            if (rdLength != (type == TYPE_A ? 4 : 16))
            {
                return MALFORMED;
            }
            if (addressCount == MAX_ADDRESSES)
            {
                outcome = OVERSIZED;
                break;
            }
            final int at = addressCount * 16;
            if (type == TYPE_A)
            {
                addresses.putLong(at, 0);
                addresses.putInt(at + 8, 0xFFFF0000, ByteOrder.LITTLE_ENDIAN); // bytes 00 00 ff ff
                addresses.putBytes(at + 12, buffer, recordRdata[r], 4);
            }
            else
            {
                addresses.putBytes(at, buffer, recordRdata[r], 16);
            }
            ttls[addressCount++] = recordTtl[r];
        }
        return outcome;
    }

    private boolean ownerIsChain(final int record)
    {
        if (readName(recordOffsets[record], scratch) < 0 || scratchLength != chainLength)
        {
            return false;
        }
        for (int i = 0; i < chainLength; i++)
        {
            if (scratch.getByte(i) != chain.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    private int failure(final int error, final boolean cut)
    {
        return error == LOOP ? LOOPING : error == SHORT && cut ? CUT_SHORT : MALFORMED;
    }

    /**
     * Reads the name at pos as text into out ({@link #scratchLength} its length); returns the position after the
     * name where it started (after its first pointer, if any), or an error below 0.
     */
    private int readName(final int pos, final MutableDirectBuffer out)
    {
        int p = pos;
        int after = -1;
        int jumps = 0;
        int wire = 0;
        int text = 0;
        int lowest = pos; // a pointer must point before every label read so far: no loop is possible then
        while (true)
        {
            if (p >= end)
            {
                return SHORT;
            }
            final int len = buffer.getByte(p) & 0xFF;
            if ((len & 0xC0) == 0xC0)
            {
                if (p + 2 > end)
                {
                    return SHORT;
                }
                final int target = start + ((len & 0x3F) << 8 | buffer.getByte(p + 1) & 0xFF);
                if (++jumps > MAX_JUMPS || target >= lowest)
                {
                    return LOOP;
                }
                if (after < 0)
                {
                    after = p + 2;
                }
                p = target;
                lowest = target;
                continue;
            }
            if ((len & 0xC0) != 0)
            {
                return BAD;
            }
            wire += 1 + len;
            if (wire > MAX_NAME_WIRE)
            {
                return BAD;
            }
            if (len == 0)
            {
                scratchLength = text;
                return after < 0 ? p + 1 : after;
            }
            if (p + 1 + len > end)
            {
                return SHORT;
            }
            if (text > 0)
            {
                out.putByte(text++, (byte)'.');
            }
            for (int i = 1; i <= len; i++)
            {
                text = putText(out, text, buffer.getByte(p + i) & 0xFF);
            }
            p += 1 + len;
        }
    }

    private static int putText(final MutableDirectBuffer out, final int at, final int b)
    {
        if (b > 0x20 && b < 0x7F && b != '.' && b != '\\')
        {
            out.putByte(at, (byte)(b >= 'A' && b <= 'Z' ? b + 32 : b));
            return at + 1;
        }
        out.putByte(at, (byte)'\\');
        out.putByte(at + 1, (byte)('0' + b / 100));
        out.putByte(at + 2, (byte)('0' + b / 10 % 10));
        out.putByte(at + 3, (byte)('0' + b % 10));
        return at + 4;
    }

    private int u16(final int at)
    {
        return buffer.getShort(at, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /** Whether the server set TC: the answer did not fit (the client asks again, usually over TCP). */
    public boolean truncatedByServer()
    {
        return (flags & TC) != 0;
    }

    /** The response code (0 NOERROR, 3 NXDOMAIN, ...). */
    public int rcode()
    {
        return flags & 0xF;
    }

    public int questionType()
    {
        return questionType;
    }

    /** The question's name as text, in {@link #questionLength()} bytes. */
    public DirectBuffer question()
    {
        return question;
    }

    public int questionLength()
    {
        return questionLength;
    }

    /** The name the CNAME chain ends at (the question's when there is none), in {@link #finalNameLength()} bytes. */
    public DirectBuffer finalName()
    {
        return chain;
    }

    public int finalNameLength()
    {
        return chainLength;
    }

    /** The final name's A and AAAA records, in message order. */
    public int addressCount()
    {
        return addressCount;
    }

    /** The addresses, 16 bytes each (IPv4 v4-mapped, ::ffff:a.b.c.d), at {@code i * 16}. */
    public DirectBuffer addresses()
    {
        return addresses;
    }

    /** The TTL of address i, seconds. */
    public long ttl(final int i)
    {
        return ttls[i];
    }

    /** For diagnostics and tests; allocates. */
    public String questionText()
    {
        return question.getStringWithoutLengthAscii(0, questionLength);
    }

    /** For diagnostics and tests; allocates. */
    public String finalNameText()
    {
        return chain.getStringWithoutLengthAscii(0, chainLength);
    }
}
