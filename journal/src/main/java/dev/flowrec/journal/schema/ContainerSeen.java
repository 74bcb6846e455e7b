package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Template 7: the container behind an interface, as found from the host (veth → network namespace →
 * processes → cgroup). Journaled so that a replay still names containers long gone.
 * Offsets from the event start; little-endian.
 * <pre>
 *   0               8               16              24              28              32
 *   +---------------+---------------+---------------+---------------+---------------+
 *   | header        | timeNs u64    | netnsIno i64  | ifindex i32   | pad (4)       |
 *   +---------------+---------------+---------------+---------------+---------------+
 *  32  {u16 len, id} {u16 len, shortId} {u16 len, runtime} {u16 len, cgroupPath}
 *      {u16 len, netnsName} {u16 len, ifname}   (UTF-8)
 * </pre>
 * header: 0x4652, 1, 7, 24. runtime: docker, containerd, crio, podman, or netns (no runtime recognised:
 * id is the network namespace's name or netns-INODE). ifname: the host-side interface recorded.
 */
public final class ContainerSeen extends EventFlyweight
{
    public static final int TEMPLATE_ID = 7;
    public static final int BLOCK_LENGTH = 24;

    public static final int TIME_NS_OFFSET = 8;
    public static final int NETNS_INO_OFFSET = 16;
    public static final int IFINDEX_OFFSET = 24;
    public static final int PAD_OFFSET = 28;
    public static final int PAD_LENGTH = 4;

    private static final int ID = 0;
    private static final int SHORT_ID = 1;
    private static final int RUNTIME = 2;
    private static final int CGROUP_PATH = 3;
    private static final int NETNS_NAME = 4;
    private static final int IFNAME = 5;

    public ContainerSeen()
    {
        super(TEMPLATE_ID, BLOCK_LENGTH, 6);
    }

    /** @return the length of an event with these strings, to size {@code JournalWriter.claim}. */
    public static int encodedLength(final CharSequence id, final CharSequence shortId, final CharSequence runtime,
        final CharSequence cgroupPath, final CharSequence netnsName, final CharSequence ifname)
    {
        return encodedLength(BLOCK_LENGTH, id, shortId, runtime, cgroupPath, netnsName, ifname);
    }

    public ContainerSeen wrap(final DirectBuffer buffer, final int offset)
    {
        wrapForDecode(buffer, offset);
        return this;
    }

    /** Writes the header, zeroes the block and wraps it for encoding; then set fields and strings in order. */
    public ContainerSeen wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset)
    {
        wrapForEncode(buffer, offset);
        return this;
    }

    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public ContainerSeen timeNs(final long value)
    {
        mutableBuffer.putLong(offset + TIME_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long netnsIno()
    {
        return buffer.getLong(offset + NETNS_INO_OFFSET, BYTE_ORDER);
    }

    public ContainerSeen netnsIno(final long value)
    {
        mutableBuffer.putLong(offset + NETNS_INO_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public int ifindex()
    {
        return buffer.getInt(offset + IFINDEX_OFFSET, BYTE_ORDER);
    }

    public ContainerSeen ifindex(final int value)
    {
        mutableBuffer.putInt(offset + IFINDEX_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public String id()
    {
        return string(ID);
    }

    public ContainerSeen id(final CharSequence value)
    {
        putString(ID, value);
        return this;
    }

    public String shortId()
    {
        return string(SHORT_ID);
    }

    public ContainerSeen shortId(final CharSequence value)
    {
        putString(SHORT_ID, value);
        return this;
    }

    public String runtime()
    {
        return string(RUNTIME);
    }

    public ContainerSeen runtime(final CharSequence value)
    {
        putString(RUNTIME, value);
        return this;
    }

    public String cgroupPath()
    {
        return string(CGROUP_PATH);
    }

    public ContainerSeen cgroupPath(final CharSequence value)
    {
        putString(CGROUP_PATH, value);
        return this;
    }

    public String netnsName()
    {
        return string(NETNS_NAME);
    }

    public ContainerSeen netnsName(final CharSequence value)
    {
        putString(NETNS_NAME, value);
        return this;
    }

    public String ifname()
    {
        return string(IFNAME);
    }

    public ContainerSeen ifname(final CharSequence value)
    {
        putString(IFNAME, value);
        return this;
    }
}
