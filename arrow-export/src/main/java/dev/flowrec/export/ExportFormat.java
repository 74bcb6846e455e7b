package dev.flowrec.export;

/** What an export writes: Arrow IPC (a file, or a stream to stdout) or Parquet; or IPFIX over UDP (query-shell's IpfixOut, not {@link Exporter}). */
public enum ExportFormat
{
    arrow("arrow"), parquet("parquet"), ipfix("ipfix");

    private final String extension;

    ExportFormat(final String extension)
    {
        this.extension = extension;
    }

    public String extension()
    {
        return extension;
    }
}
