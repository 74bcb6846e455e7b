package dev.flowrec.journal;

import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.DirectBuffer;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The CRC32C trailer of a journal document: 4 bytes, little-endian, of the document's bytes before it (the event;
 * in the catalog, its journal index too), present in every document whose event is of schema version
 * {@link #SINCE_VERSION} or later. CRC32C because the JDK computes it with the CPU's crc32 instruction.
 * <p>
 * The JDK's intrinsic reads a direct {@link ByteBuffer}, while documents lie in Chronicle's mapped chunks, which
 * have none: a view of the whole chunk is made when a document lies in a chunk not seen before (once per 16 MiB
 * chunk, as Chronicle maps it) and positioned per document, so nothing is allocated per document. Scratch copies
 * are {@link org.agrona.ExpandableDirectByteBuffer}s, which have a buffer of their own. Single-threaded.
 */
final class DocumentChecksum
{
    /** The first schema version whose events are followed by a trailer. */
    static final int SINCE_VERSION = 4;
    static final int LENGTH = Integer.BYTES;
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final CRC32C crc = new CRC32C();
    private BytesStore<?, ?> chunk;
    private long chunkAddress;
    private ByteBuffer chunkView;

    /**
     * Whether a trailer follows the event at {@code offset}: flowrec's schema at a version that writes one and that
     * this code knows (a later version's event is skipped whole, its trailer unread).
     */
    static boolean follows(final DirectBuffer event, final int offset)
    {
        if (event.capacity() - offset < MessageHeader.VERSION_OFFSET + Short.BYTES ||
            (event.getShort(offset + MessageHeader.SCHEMA_ID_OFFSET, MessageHeader.BYTE_ORDER) & 0xFFFF) != MessageHeader.SCHEMA_ID)
        {
            return false;
        }
        final int version = event.getShort(offset + MessageHeader.VERSION_OFFSET, MessageHeader.BYTE_ORDER) & 0xFFFF;
        return version >= SINCE_VERSION && version <= MessageHeader.SCHEMA_VERSION;
    }

    /**
     * Whether the {@code length} bytes at {@code from} of a document are followed by their CRC32C: a copy, for the
     * few documents read outside the hot path (a restarting recorder's look at the end of its journal).
     */
    static boolean matches(final Bytes<?> document, final long from, final int length)
    {
        final byte[] copy = new byte[length];
        document.read(from, copy, 0, length);
        final CRC32C crc = new CRC32C();
        crc.update(copy, 0, length);
        return (int)crc.getValue() == document.readInt(from + length); // Chronicle's bytes are little-endian, as the trailer
    }

    /** @return the CRC32C of {@code length} bytes at {@code address}, which lies inside Chronicle's {@code store}. */
    int ofMapped(final BytesStore<?, ?> store, final long address, final int length)
    {
        if (store != chunk)
        {
            final long start = store.start();
            chunkAddress = store.addressForRead(start);
            chunkView = MemorySegment.ofAddress(chunkAddress).reinterpret(store.capacity() - start).asByteBuffer();
            chunk = store;
        }
        final int from = (int)(address - chunkAddress);
        chunkView.limit(from + length).position(from);
        crc.reset();
        crc.update(chunkView);
        return (int)crc.getValue();
    }

    /** @return the CRC32C of {@code [offset, offset + length)} of a buffer over a direct {@link ByteBuffer}. */
    int ofBuffer(final DirectBuffer buffer, final int offset, final int length)
    {
        final ByteBuffer view = buffer.byteBuffer();
        final int from = buffer.wrapAdjustment() + offset;
        view.limit(from + length).position(from);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }
}
