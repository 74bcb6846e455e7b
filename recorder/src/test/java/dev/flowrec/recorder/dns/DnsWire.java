package dev.flowrec.recorder.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes DNS responses byte by byte for tests, independently of {@link DnsMessage}: what a server would send. */
final class DnsWire
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A response header: id 0x1234, QR and RD/RA set, TC as given, one question, {@code answers} answers. */
    static DnsWire response(final int answers, final boolean tc)
    {
        final DnsWire w = new DnsWire();
        w.u16(0x1234).u16(0x8180 | (tc ? 0x0200 : 0)).u16(1).u16(answers).u16(0).u16(0);
        return w;
    }

    DnsWire u8(final int v)
    {
        out.write(v);
        return this;
    }

    DnsWire u16(final int v)
    {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    DnsWire u32(final long v)
    {
        return u16((int)(v >>> 16)).u16((int)v);
    }

    DnsWire name(final String dotted)
    {
        for (final String label : dotted.split("\\."))
        {
            final byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.writeBytes(b);
        }
        out.write(0);
        return this;
    }

    /** A compression pointer to {@code offset} from the message's start. */
    DnsWire pointer(final int offset)
    {
        return u16(0xC000 | offset);
    }

    DnsWire question(final String name, final int type)
    {
        return name(name).u16(type).u16(1);
    }

    /** An A record whose owner is a pointer to offset. */
    DnsWire a(final int ownerPointer, final long ttl, final int... address)
    {
        pointer(ownerPointer).u16(1).u16(1).u32(ttl).u16(4);
        for (final int b : address)
        {
            u8(b);
        }
        return this;
    }

    int size()
    {
        return out.size();
    }

    byte[] bytes()
    {
        return out.toByteArray();
    }
}
