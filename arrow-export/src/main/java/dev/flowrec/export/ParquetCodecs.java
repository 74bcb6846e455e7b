package dev.flowrec.export;

import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page compressors for the Parquet writer straight over zstd-jni and snappy-java, so that writing needs no
 * Hadoop codec classes (parquet-java's own factory goes through Hadoop's CompressionCodec). Write only.
 */
final class ParquetCodecs implements CompressionCodecFactory
{
    /** zstd's default level, as parquet-java and pyarrow use. */
    private static final int ZSTD_LEVEL = 3;
    /** One context for every page of the file: Zstd.compress makes (and sizes its tables) afresh for each. */
    private ZstdCompressCtx zstd;

    public BytesInputCompressor getCompressor(final CompressionCodecName codecName)
    {
        return switch (codecName)
        {
            case ZSTD -> compressor(codecName, input -> zstd().compress(input));
            case SNAPPY -> compressor(codecName, Snappy::compress);
            case UNCOMPRESSED -> compressor(codecName, null);
            default -> throw new UnsupportedOperationException("no " + codecName + " compressor");
        };
    }

    public BytesInputDecompressor getDecompressor(final CompressionCodecName codecName)
    {
        throw new UnsupportedOperationException("the export writes Parquet, it never reads it");
    }

    /** Frees the zstd context, if one was made. */
    public void release()
    {
        if (zstd != null)
        {
            zstd.close();
            zstd = null;
        }
    }

    private ZstdCompressCtx zstd()
    {
        if (zstd == null)
        {
            zstd = new ZstdCompressCtx().setLevel(ZSTD_LEVEL);
        }
        return zstd;
    }

    static CompressionCodecName codecOf(final Compression compression)
    {
        return switch (compression)
        {
            case zstd -> CompressionCodecName.ZSTD;
            case snappy -> CompressionCodecName.SNAPPY;
            case none -> CompressionCodecName.UNCOMPRESSED;
        };
    }

    private interface Codec
    {
        byte[] compress(byte[] input) throws IOException;
    }

    private static BytesInputCompressor compressor(final CompressionCodecName name, final Codec codec)
    {
        return new BytesInputCompressor()
        {
            public BytesInput compress(final BytesInput bytes) throws IOException
            {
                return codec == null ? bytes : BytesInput.from(codec.compress(bytes.toByteArray()));
            }

            public CompressionCodecName getCodecName()
            {
                return name;
            }

            public void release()
            {
            }
        };
    }
}
