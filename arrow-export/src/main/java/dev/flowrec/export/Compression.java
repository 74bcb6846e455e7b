package dev.flowrec.export;

/** Compression of Parquet pages. Arrow IPC is written uncompressed: not every reader decodes compressed IPC bodies. */
public enum Compression
{
    zstd, snappy, none
}
