package dev.flowrec.recorder;

import dev.flowrec.bpf.PinnedMaps;
import dev.flowrec.bpf.Tc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A recorder instance: the name under which its kernel state is pinned ({@link PinnedMaps#ROOT}/NAME) and from
 * which its filters' TC handle is derived ({@link Tc#handleOf}). Two recorders of different instances never
 * touch each other's filters or pins; a restart of the same instance adopts them. By default a journal is an
 * instance: its directory's base name and a hash of its real path, so that two journals named alike in
 * different places are two instances, and the same journal reached by another path is the same one.
 */
public record Instance(String name)
{
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int BASE_NAME_MAX = 64 - 9;

    public Instance
    {
        if (!VALID.matcher(name).matches() || name.equals(".") || name.equals(".."))
        {
            throw new IllegalArgumentException(
                "instance name must be 1 to 64 of A-Z a-z 0-9 _ . - (and not . or ..): '" + name + "'");
        }
    }

    /** The default instance of a journal directory (which must exist): base name, '-', 8 hex digits of its real path. */
    public static Instance ofJournal(final Path journal)
    {
        final Path real;
        try
        {
            real = journal.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("the journal directory's real path: " + ex.getMessage(), ex);
        }
        return new Instance(derived(real));
    }

    /** The default name for a real path (no file system access). */
    static String derived(final Path real)
    {
        final Path fileName = real.getFileName();
        String base = fileName == null ? "root" : fileName.toString().replaceAll("[^A-Za-z0-9_.-]", "_");
        if (base.length() > BASE_NAME_MAX)
        {
            base = base.substring(0, BASE_NAME_MAX);
        }
        final CRC32C crc = new CRC32C();
        crc.update(real.toString().getBytes(StandardCharsets.UTF_8));
        return base + "-" + String.format("%08x", crc.getValue());
    }

    /** Where the instance's maps are pinned. */
    public Path pinDir()
    {
        return PinnedMaps.ROOT.resolve(name);
    }

    /** The TC handle of the instance's filters. */
    public int tcHandle()
    {
        return Tc.handleOf(name);
    }
}
