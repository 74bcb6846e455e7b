package dev.flowrec.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Keeps Chronicle away from cycle files that have no header: a file cut to zero bytes, or cut inside its
 * first header. Chronicle waits for such a header to be written, and a read-only tailer that reaches the
 * file waits forever (its header timeout does not end the wait on this path; see journal/CORRUPTION.md).
 * <p>
 * Readers open a private directory of symbolic links to every cycle file of the journal that has a header (not to its
 * metadata: a read-only queue lists the directory instead), and each headerless cycle is reported as unreadable.
 * Files a writer adds later are linked on {@link #refresh()} once their header is there, so a reader that
 * follows a journal still sees new cycles. The private directory is deleted on {@link #close()}; one left by a reader
 * whose process was killed is deleted by the next reader that opens ({@link #reapOrphans}).
 */
final class HeaderlessCycles implements AutoCloseable
{
    /**
     * The private directories' names: this prefix, the reader's pid namespace (its inode, 0 when unknown), '-', its
     * pid, '-', then the temporary directory's random part.
     */
    static final String LINKS_PREFIX = "flowrec-journal-";
    /** This process's pid namespace, by inode: a pid means a process only within its namespace. */
    private static final long PID_NAMESPACE = pidNamespace();
    /** Orphans are looked for once per JVM: a query opens several readers, and a temporary directory can be large. */
    private static final AtomicBoolean REAPED = new AtomicBoolean();
    /** A cycle file modified this long ago without a header is not a writer's new file but a damaged one. */
    private static final long WRITER_GRACE_MS = 1_000;

    private final Path journal;
    private final Path linked;
    /** Headerless cycle file name → its size when found. */
    private final TreeMap<String, Long> headerless = new TreeMap<>();

    private HeaderlessCycles(final Path journal, final Path linked)
    {
        this.journal = journal;
        this.linked = linked;
    }

    /** Checks every cycle file of {@code journal}. */
    static HeaderlessCycles check(final Path journal)
    {
        final HeaderlessCycles cycles = new HeaderlessCycles(journal, null);
        final List<Path> cycleFiles = files(journal).stream().filter(HeaderlessCycles::isCycleFile).toList();
        for (int i = 0; i < cycleFiles.size(); i++)
        {
            final Path file = cycleFiles.get(i);
            // The newest file may be a writer's, created an instant ago: give it the time to write its header, but
            // no longer than the grace after its modification time (a damaged file is no writer's new one).
            if (!hasHeader(file) && (i < cycleFiles.size() - 1 || !headerWithin(file, graceLeft(file))))
            {
                cycles.headerless.put(file.getFileName().toString(), size(file));
            }
        }
        return cycles.headerless.isEmpty() ? cycles : cycles.linkOthers();
    }

    /**
     * As {@link #check}, but always through a private directory without the metadata file, which readers never show
     * Chronicle (see {@code JournalReader.open}).
     */
    static HeaderlessCycles withoutListing(final Path journal)
    {
        final HeaderlessCycles cycles = check(journal);
        return cycles.linked == null ? cycles.linkOthers() : cycles;
    }

    private HeaderlessCycles linkOthers()
    {
        try
        {
            final Path links = Files.createTempDirectory(linksPrefix(ProcessHandle.current().pid()));
            if (!REAPED.getAndSet(true))
            {
                reapOrphans(links);
            }
            final HeaderlessCycles view = new HeaderlessCycles(journal, links);
            view.headerless.putAll(headerless);
            view.refresh();
            return view;
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot create a directory to read damaged journal " + journal + " around its " +
                headerless.keySet() + ": " + ex, ex);
        }
    }

    /** The directory Chronicle opens. */
    Path dir()
    {
        return linked == null ? journal : linked;
    }

    /** Headerless cycle file names with their sizes, in cycle order. */
    TreeMap<String, Long> headerless()
    {
        return headerless;
    }

    /** Links files the writer added since the last call (none when the journal was intact at open). */
    void refresh()
    {
        if (linked == null)
        {
            return;
        }
        for (final Path file : files(journal))
        {
            final String name = file.getFileName().toString();
            final Path link = linked.resolve(name);
            if (name.equals(JournalPaths.METADATA_FILE))
            {
                continue; // its listing names the headerless cycles; without it Chronicle lists the directory
            }
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS))
            {
                continue;
            }
            if (isCycleFile(file) && !hasHeader(file))
            {
                if (!headerless.containsKey(name) && ageMs(file) > WRITER_GRACE_MS)
                {
                    headerless.put(name, size(file));
                }
                continue;
            }
            try
            {
                Files.createSymbolicLink(link, file.toAbsolutePath());
                headerless.remove(name); // a writer finished its header after all
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot link " + file + " into " + linked + ": " + ex, ex);
            }
        }
    }

    @Override
    public void close()
    {
        if (linked == null)
        {
            return;
        }
        try
        {
            deleteLinks(linked);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove " + linked, ex);
        }
    }

    /** The start of the name of a private directory of process {@code pid} of this pid namespace. */
    static String linksPrefix(final long pid)
    {
        return LINKS_PREFIX + PID_NAMESPACE + "-" + pid + "-";
    }

    /**
     * Deletes the private directories of readers whose process is gone (killed before it could close them), as the
     * JVM deletes the hsperfdata files of dead pids: beside {@code mine}, named with this pid namespace and a pid no
     * process has (a directory of another namespace, a container's sharing the temporary directory, is never judged
     * from here), owned by this user, and holding nothing but links. Best effort: another reader may be deleting the
     * same one, and nothing is deleted when the namespace is unknown.
     */
    static void reapOrphans(final Path mine)
    {
        if (PID_NAMESPACE == 0)
        {
            return;
        }
        final String ours = LINKS_PREFIX + PID_NAMESPACE + "-";
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(mine.getParent(), ours + "*"))
        {
            final UserPrincipal me = Files.getOwner(mine, LinkOption.NOFOLLOW_LINKS);
            for (final Path dir : dirs)
            {
                final long pid = pidOf(dir.getFileName().toString(), ours.length());
                try
                {
                    if (pid > 0 && ProcessHandle.of(pid).isEmpty() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        && me.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS)) && onlyLinks(dir))
                    {
                        deleteLinks(dir);
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // gone meanwhile, or not ours to delete: the next one
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // the temporary directory cannot be listed: nothing to reap
        }
    }

    /** The pid after the namespace in a private directory's name, or -1 when the name is of another form. */
    private static long pidOf(final String name, final int from)
    {
        final int dash = name.indexOf('-', from);
        if (dash <= from)
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name, from, dash, 10);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** The inode of /proc/self/ns/pid ("pid:[4026531836]"), or 0 when it cannot be read. */
    private static long pidNamespace()
    {
        try
        {
            final String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /** Whether the directory holds links and nothing else (an empty one may be a reader's that is linking now). */
    private static boolean onlyLinks(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            final List<Path> all = entries.toList();
            return !all.isEmpty() && all.stream().allMatch(Files::isSymbolicLink);
        }
    }

    private static void deleteLinks(final Path dir) throws IOException
    {
        try (Stream<Path> links = Files.list(dir))
        {
            for (final Path link : links.toList())
            {
                Files.deleteIfExists(link);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static boolean isCycleFile(final Path file)
    {
        return file.getFileName().toString().endsWith(JournalPaths.CYCLE_FILE_SUFFIX);
    }

    /** Whether the cycle file starts with its whole Chronicle header (what Chronicle waits for). */
    private static boolean hasHeader(final Path file)
    {
        return JournalPaths.startsWithWholeHeader(file, JournalPaths.CYCLE_STORE);
    }

    /** What is left of the writer's grace for a file modified at its modification time. */
    private static long graceLeft(final Path file)
    {
        try
        {
            return Math.max(0, Files.getLastModifiedTime(file).toMillis() + WRITER_GRACE_MS - System.currentTimeMillis());
        }
        catch (final IOException ex)
        {
            return 0; // gone or unreadable: not a file a writer is creating
        }
    }

    private static boolean headerWithin(final Path file, final long waitMs)
    {
        final long deadline = System.currentTimeMillis() + waitMs;
        while (System.currentTimeMillis() < deadline)
        {
            if (hasHeader(file))
            {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return hasHeader(file);
    }

    private static List<Path> files(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex, ex);
        }
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static long ageMs(final Path file)
    {
        try
        {
            return System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
        }
        catch (final IOException ex)
        {
            return Long.MAX_VALUE;
        }
    }
}
