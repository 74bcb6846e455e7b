package dev.flowrec.bpf;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.flowrec.syscall.Libc;
import org.agrona.CloseHelper;

/**
 * flowrec's cgroup sock programs ({@link FlowProgram#OWNER_PROGRAMS}) on one cgroup2 directory, as BPF links
 * (BPF_F_ALLOW_MULTI: others' programs keep running). They only write socket-local storage and always allow, so
 * they change nothing for the sockets they see. The links die with the process, or on {@link #close()}, which
 * destroys them in the reverse order of attaching and is idempotent.
 */
public final class OwnerLinks implements AutoCloseable
{
    private final Path cgroupDir;
    private final int dirFd;
    private final List<String> names;
    private final List<MemorySegment> links;
    private boolean closed;

    private OwnerLinks(final Path cgroupDir, final int dirFd, final List<String> names, final List<MemorySegment> links)
    {
        this.cgroupDir = cgroupDir;
        this.dirFd = dirFd;
        this.names = names;
        this.links = links;
    }

    /** Attaches programs (struct bpf_program*, named by names) to cgroupDir; on failure detaches those attached. */
    static OwnerLinks attach(final Path cgroupDir, final List<String> names, final List<MemorySegment> programs)
    {
        final String dir = cgroupDir.toString();
        final int dirFd = Libc.openDirectory(dir);
        final OwnerLinks owners = new OwnerLinks(cgroupDir, dirFd, names, new ArrayList<>());
        try
        {
            if (Libc.fileSystemType(dirFd, dir) != Libc.CGROUP2_SUPER_MAGIC)
            {
                throw new BpfException(dir + " is not a cgroup2 directory");
            }
            for (int i = 0; i < programs.size(); i++)
            {
                final MemorySegment program = programs.get(i);
                final int[] errno = new int[1];
                final MemorySegment[] link = { MemorySegment.NULL };
                final LibbpfLog.Captured attached = LibbpfLog.capture(() ->
                {
                    link[0] = Libbpf.programAttachCgroup(program, dirFd, errno);
                    return link[0].address() == 0 ? -errno[0] : 0;
                });
                if (attached.rc() < 0)
                {
                    throw attached.failure("bpf_program__attach_cgroup " + names.get(i) + " on " + dir);
                }
                owners.links.add(link[0]);
            }
            return owners;
        }
        catch (final RuntimeException | Error e)
        {
            try
            {
                owners.close();
            }
            catch (final RuntimeException closing)
            {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The cgroup2 directory the programs are attached to. */
    public Path cgroupDir()
    {
        return cgroupDir;
    }

    /** Detaches every program, the last attached first, then closes the directory; idempotent. */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final List<AutoCloseable> steps = new ArrayList<>();
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final MemorySegment link = links.get(i);
            final String name = names.get(i);
            steps.add(() ->
            {
                final int rc = Libbpf.linkDestroy(link);
                if (rc < 0)
                {
                    throw BpfException.errno("bpf_link__destroy " + name + " on " + cgroupDir, -rc);
                }
            });
        }
        steps.add(() -> Libc.close(dirFd));
        CloseHelper.closeAll(steps.toArray(AutoCloseable[]::new));
    }

    public String toString()
    {
        return "OwnerLinks{" + links.size() + " programs on " + cgroupDir + "}";
    }
}
