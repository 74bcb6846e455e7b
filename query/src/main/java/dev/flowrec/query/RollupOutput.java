package dev.flowrec.query;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/**
 * A rollup written in order through one bounded buffer, with the two checksums {@link Rollup} checks summed on the way
 * (the rows', and the rest's). Why not the whole file in one buffer: an hour's rollup is tens of MB, and a direct
 * buffer of that size is native memory that stays in the recorder's malloc arena (RSS) after the collector frees it.
 */
final class RollupOutput
{
    private static final int CAPACITY = 64 * 1024;

    private final FileChannel channel;
    private final ByteBuffer bytes = ByteBuffer.allocateDirect(CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C rest = new CRC32C();
    private final CRC32C rows = new CRC32C();
    private CRC32C crc = rest;
    /** Where in {@link #bytes} the current checksum has not yet summed from. */
    private int summedTo;

    RollupOutput(final FileChannel channel)
    {
        this.channel = channel;
    }

    void putLong(final long value) throws IOException
    {
        room(Long.BYTES);
        bytes.putLong(value);
    }

    void putInt(final int value) throws IOException
    {
        room(Integer.BYTES);
        bytes.putInt(value);
    }

    void put(final byte[] src) throws IOException
    {
        for (int at = 0; at < src.length; )
        {
            room(1);
            final int length = Math.min(bytes.remaining(), src.length - at);
            bytes.put(src, at, length);
            at += length;
        }
    }

    void put(final DirectBuffer src, final int offset, final int length) throws IOException
    {
        for (int at = 0; at < length; )
        {
            room(1);
            final int n = Math.min(bytes.remaining(), length - at);
            src.getBytes(offset + at, bytes, bytes.position(), n);
            bytes.position(bytes.position() + n);
            at += n;
        }
    }

    /** What follows, until {@code false}, is the rows: summed apart from the rest. */
    void rows(final boolean inRows)
    {
        sum();
        crc = inRows ? rows : rest;
    }

    int rowsCrc()
    {
        sum();
        return (int)rows.getValue();
    }

    int restCrc()
    {
        sum();
        return (int)rest.getValue();
    }

    /** Writes what the buffer holds. */
    void flush() throws IOException
    {
        sum();
        bytes.flip();
        while (bytes.hasRemaining())
        {
            channel.write(bytes);
        }
        bytes.clear();
        summedTo = 0;
    }

    private void room(final int length) throws IOException
    {
        if (bytes.remaining() < length)
        {
            flush();
        }
    }

    private void sum()
    {
        crc.update(bytes.duplicate().limit(bytes.position()).position(summedTo));
        summedTo = bytes.position();
    }
}
