package dev.flowrec.bpf;

import org.agrona.DirectBuffer;

/**
 * Flyweight over {@code struct fr_owner_event} (flowrec.h): the process that owns the local socket of a flow entry
 * the kernel just created, written into the ring buffer ahead of that flow's first delta. Its length differs from
 * a delta's ({@link FlowEventDecoder#LENGTH}), which is how the ring's reader tells them apart. The flow key is laid
 * out as a delta's. KernelMirrorTest compares every constant with what the compiler says ({@code tgid} →
 * {@link #TGID_OFFSET}, {@code FR_SIDE_SENDER} → {@link #SIDE_SENDER}).
 *
 * <pre>
 *   0          44  45   48     52     56          64          72        80         96
 *   +----------+---+----+------+------+-----------+-----------+---------+----------+
 *   | key (44) |sid|pad |tgid  |tid   | cgroup_id | netns_ino | time_ns | comm (16)|
 *   +----------+---+----+------+------+-----------+-----------+---------+----------+
 * </pre>
 */
public final class OwnerEventDecoder extends FlowKeyDecoder
{
    public static final int LENGTH = 96;

    public static final int SIDE_OFFSET = 44;
    public static final int TGID_OFFSET = 48;
    public static final int TID_OFFSET = 52;
    public static final int CGROUP_ID_OFFSET = 56;
    public static final int NETNS_INO_OFFSET = 64;
    public static final int TIME_NS_OFFSET = 72;
    public static final int COMM_OFFSET = 80;
    public static final int COMM_LENGTH = 16;

    /** side(): the owner of the socket that sent the flow's packets ({@code FR_SIDE_SENDER}). */
    public static final int SIDE_SENDER = 0;
    /** side(): the owner of the local socket the flow's packets are delivered to ({@code FR_SIDE_RECEIVER}). */
    public static final int SIDE_RECEIVER = 1;

    public OwnerEventDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        wrapKey(buffer, offset);
        return this;
    }

    /** {@link #SIDE_SENDER} or {@link #SIDE_RECEIVER}. */
    public int side()
    {
        return buffer.getByte(offset + SIDE_OFFSET) & 0xFF;
    }

    /** The process (thread group) id, in the host's pid namespace. */
    public int tgid()
    {
        return buffer.getInt(offset + TGID_OFFSET, BYTE_ORDER);
    }

    /** The thread that created, bound, connected or last sent with the socket. */
    public int tid()
    {
        return buffer.getInt(offset + TID_OFFSET, BYTE_ORDER);
    }

    /** That thread's cgroup v2 id. */
    public long cgroupId()
    {
        return buffer.getLong(offset + CGROUP_ID_OFFSET, BYTE_ORDER);
    }

    /** The socket's network namespace inode, 0 when unknown. */
    public long netnsIno()
    {
        return buffer.getLong(offset + NETNS_INO_OFFSET, BYTE_ORDER);
    }

    /** The flow entry's first packet, boot-time ns. */
    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    /** The command name's bytes, up to its NUL (at most 15). */
    public int commLength()
    {
        int length = 0;
        while (length < COMM_LENGTH && buffer.getByte(offset + COMM_OFFSET + length) != 0)
        {
            length++;
        }
        return length;
    }

    /** For diagnostics and tests; allocates. */
    public String comm()
    {
        return buffer.getStringWithoutLengthUtf8(offset + COMM_OFFSET, commLength());
    }

    public String toString()
    {
        if (buffer == null)
        {
            return "OwnerEventDecoder{unwrapped}";
        }
        return "OwnerEvent{if=" + ifindex() + " dir=" + direction() + " fam=" + family() + " proto=" + proto() +
            " sport=" + sport() + " dport=" + dport() + " side=" + side() + " tgid=" + tgid() + " tid=" + tid() +
            " cgroup=" + cgroupId() + " comm=" + comm() + " time=" + timeNs() + "}";
    }
}
