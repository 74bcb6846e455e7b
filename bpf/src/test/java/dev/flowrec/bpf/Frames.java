package dev.flowrec.bpf;

import java.nio.ByteBuffer;

/** Hand-built Ethernet frames for BPF_PROG_TEST_RUN. Network byte order, correct IPv4 header checksums. */
final class Frames
{
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_IPV6 = 0x86DD;
    static final int ETH_P_8021Q = 0x8100;
    static final int TCP = 6;
    static final int UDP = 17;

    private Frames()
    {
    }

    /** Ethernet + IPv4 + UDP with payload bytes of payload; IP total length = 28 + payload. */
    static byte[] ipv4Udp(final int src, final int dst, final int sport, final int dport, final int payload)
    {
        final ByteBuffer l4 = ByteBuffer.allocate(8 + payload);
        l4.putShort((short)sport).putShort((short)dport).putShort((short)(8 + payload)).putShort((short)0);
        return ethernet(ETH_P_IP, ipv4(src, dst, UDP, 0, l4.array()));
    }

    /** Ethernet + IPv4 + TCP (20-byte header, no options) with flags. */
    static byte[] ipv4Tcp(final int src, final int dst, final int sport, final int dport, final int flags,
        final int payload)
    {
        final ByteBuffer l4 = ByteBuffer.allocate(20 + payload);
        l4.putShort((short)sport).putShort((short)dport).putInt(1000).putInt(2000)
            .put((byte)(5 << 4)).put((byte)flags).putShort((short)65535).putShort((short)0).putShort((short)0);
        return ethernet(ETH_P_IP, ipv4(src, dst, TCP, 0, l4.array()));
    }

    /** A non-first IPv4 fragment (offset 185 * 8 bytes) of a UDP datagram: no L4 header in it. */
    static byte[] ipv4Fragment(final int src, final int dst, final int payload)
    {
        return ethernet(ETH_P_IP, ipv4(src, dst, UDP, 185, new byte[payload]));
    }

    /** Ethernet + IPv6 + UDP; payload_len = 8 + payload. */
    static byte[] ipv6Udp(final byte[] src16, final byte[] dst16, final int sport, final int dport, final int payload)
    {
        final ByteBuffer ip = ByteBuffer.allocate(40 + 8 + payload);
        ip.putInt(6 << 28).putShort((short)(8 + payload)).put((byte)UDP).put((byte)64).put(src16).put(dst16);
        ip.putShort((short)sport).putShort((short)dport).putShort((short)(8 + payload)).putShort((short)0);
        return ethernet(ETH_P_IPV6, ip.array());
    }

    /** Inserts an 802.1Q tag (VLAN id vid) after the MAC addresses. */
    static byte[] vlanTagged(final byte[] frame, final int vid)
    {
        final ByteBuffer tagged = ByteBuffer.allocate(frame.length + 4);
        tagged.put(frame, 0, 12).putShort((short)ETH_P_8021Q).putShort((short)vid).put(frame, 12, frame.length - 12);
        return tagged.array();
    }

    static int ipv4(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** IPv4 total length of a frame built here without VLAN tags. */
    static int ipv4TotalLength(final byte[] frame)
    {
        return ((frame[16] & 0xFF) << 8) | (frame[17] & 0xFF);
    }

    private static byte[] ipv4(final int src, final int dst, final int proto, final int fragOffset, final byte[] l4)
    {
        final ByteBuffer ip = ByteBuffer.allocate(20 + l4.length);
        ip.put((byte)0x45).put((byte)0).putShort((short)(20 + l4.length)).putShort((short)0x1234)
            .putShort((short)fragOffset).put((byte)64).put((byte)proto).putShort((short)0).putInt(src).putInt(dst);
        ip.putShort(10, checksum(ip.array(), 20));
        ip.put(l4);
        return ip.array();
    }

    private static byte[] ethernet(final int etherType, final byte[] l3)
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + l3.length);
        frame.put(new byte[]{ 0x02, 0, 0, 0, 0, 0x02 }).put(new byte[]{ 0x02, 0, 0, 0, 0, 0x01 })
            .putShort((short)etherType).put(l3);
        return frame.array();
    }

    private static short checksum(final byte[] header, final int length)
    {
        int sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            sum += ((header[i] & 0xFF) << 8) | (header[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short)~sum;
    }
}
