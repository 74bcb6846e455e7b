package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.agrona.CloseHelper;

/**
 * The libbpf object of the ELF embedded in this jar, opened, configured (the flush interval and the other knobs in
 * .rodata, the sizes of the flow map and the ring buffer) and loaded. Owns the arena, which holds the ELF image
 * (libbpf parses it in place) and whatever memory the users of the object need for as long as it lives, and the
 * object, which owns every program and map fd. {@link #close()} closes the object, then the arena.
 */
final class BpfObject implements AutoCloseable
{
    static final String NAME = "flowrec.bpf.o";

    private static final String FLUSH_INTERVAL_VARIABLE = "cfg_flush_interval_ns";
    private static final String OWNERS_VARIABLE = "cfg_owners";
    private static final String DNS_VARIABLE = "cfg_dns";
    private static final String IN_PLACE_VARIABLE = "cfg_in_place";
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;

    private final Arena arena;
    private final MemorySegment object;

    private BpfObject(final Arena arena, final MemorySegment object)
    {
        this.arena = arena;
        this.object = object;
    }

    /**
     * Opens, configures and loads the embedded object; on failure everything opened so far is closed.
     *
     * @param pinDir where the maps are pinned (and those pinned there already reused: the caller checked that they
     *               are of this layout, {@link PinnedMaps#inspect}), null for maps that die with the process
     * @param inPlace whether the TC programs may read headers in place ({@link #readsPacketsInPlace()} in
     *                production; false copies every header, as a recorder without CAP_PERFMON does)
     * @param log see {@link FlowProgram#load(FlowProgram.Config, Consumer)}
     */
    static BpfObject load(
        final FlowProgram.Config config, final String pinDir, final boolean inPlace, final Consumer<String> log)
    {
        final byte[] elf = readElf();
        final Arena arena = Arena.ofShared();
        MemorySegment object = MemorySegment.NULL;
        try
        {
            final MemorySegment image = arena.allocate(elf.length, 8).copyFrom(MemorySegment.ofArray(elf));
            object = Libbpf.objectOpenMem(image, openOpts(arena), "bpf_object__open_mem " + NAME);
            Rodata.setLong(object, FLUSH_INTERVAL_VARIABLE, config.flushIntervalNs(), NAME);
            Rodata.setLong(object, OWNERS_VARIABLE, config.owners() ? 1 : 0, NAME);
            Rodata.setLong(object, DNS_VARIABLE, config.dns() ? 1 : 0, NAME);
            Rodata.setLong(object, IN_PLACE_VARIABLE, inPlace ? 1 : 0, NAME);
            if (!config.owners())
            {
                // Not loaded at all: they need CAP_PERFMON, which a recorder without attribution may lack.
                for (final String name : java.util.stream.Stream.concat(FlowProgram.OWNER_PROGRAMS.stream(),
                    FlowProgram.OWNER_ITERATORS.stream()).toList())
                {
                    Libbpf.check(Libbpf.programSetAutoload(program(object, name), false),
                        "bpf_program__set_autoload " + name + " false");
                }
            }
            setMaxEntries(object, FlowProgram.FLOWS_MAP, config.maxFlows());
            setMaxEntries(object, FlowProgram.EVENTS_MAP, config.ringBytes());
            if (pinDir != null)
            {
                for (final String name : PinnedMaps.PINNED)
                {
                    Libbpf.check(Libbpf.mapSetPinPath(map(object, name), pinDir + "/" + name),
                        "bpf_map__set_pin_path " + name + " " + pinDir);
                }
            }
            loadCaptured(object, log);
            return new BpfObject(arena, object);
        }
        catch (final RuntimeException | Error e)
        {
            if (object.address() != 0)
            {
                Libbpf.objectClose(object);
            }
            arena.close();
            throw e;
        }
    }

    /** Memory that lives as long as this object. */
    Arena arena()
    {
        return arena;
    }

    /** A program of this object (struct bpf_program*); it must exist. */
    MemorySegment program(final String name)
    {
        return program(object, name);
    }

    private static MemorySegment program(final MemorySegment object, final String name)
    {
        final MemorySegment program = Libbpf.objectFindProgram(object, name);
        if (program.address() == 0)
        {
            throw new BpfException("no program " + name + " in " + NAME);
        }
        return program;
    }

    /** A map of this object (struct bpf_map*); it must exist. */
    MemorySegment map(final String name)
    {
        return map(object, name);
    }

    int programFd(final String name)
    {
        return Libbpf.check(Libbpf.programFd(program(name)), "bpf_program__fd " + name);
    }

    int mapFd(final String name)
    {
        return Libbpf.check(Libbpf.mapFd(map(name)), "bpf_map__fd " + name);
    }

    /** Closes the object (its programs and maps), then frees the arena; call once. */
    public void close()
    {
        CloseHelper.closeAll(() -> Libbpf.objectClose(object), arena);
    }

    private static MemorySegment map(final MemorySegment object, final String name)
    {
        final MemorySegment map = Libbpf.objectFindMap(object, name);
        if (map.address() == 0)
        {
            throw new BpfException("no map " + name + " in " + NAME);
        }
        return map;
    }

    /**
     * Loads with libbpf's log captured: a refusal is one line naming the call, the errno and libbpf's first
     * word on it; the whole log goes to the caller's log only with FLOWREC_DEBUG.
     */
    private static void loadCaptured(final MemorySegment object, final Consumer<String> log)
    {
        final LibbpfLog.Captured load = LibbpfLog.capture(() -> Libbpf.objectLoad(object));
        if (load.rc() < 0)
        {
            if (System.getenv("FLOWREC_DEBUG") != null && !load.messages().isEmpty())
            {
                log.accept(load.messages());
            }
            final String first = load.messages().lines().findFirst().orElse("").split("; ")[0];
            throw BpfException.errno("bpf_object__load " + NAME, -load.rc(),
                first.length() > 200 ? first.substring(0, 200) + "..." : first);
        }
        if (!load.messages().isEmpty())
        {
            log.accept(load.messages());
        }
    }

    /**
     * Whether the verifier lets this thread's programs read packets in place: adding a variable offset to a packet
     * pointer needs CAP_PERFMON or CAP_SYS_ADMIN, and with only CAP_BPF and CAP_NET_ADMIN it refuses the programs.
     * The thread's own set, as the kernel checks it at BPF_PROG_LOAD.
     */
    static boolean readsPacketsInPlace()
    {
        final Path status = Path.of("/proc/thread-self/status");
        try
        {
            for (final String line : Files.readAllLines(status))
            {
                if (line.startsWith("CapEff:"))
                {
                    final BigInteger effective = new BigInteger(line.substring("CapEff:".length()).trim(), 16);
                    return effective.testBit(CAP_PERFMON) || effective.testBit(CAP_SYS_ADMIN);
                }
            }
        }
        catch (final IOException e)
        {
            throw new BpfException("reading " + status + " for the capabilities that " + NAME + " may use", e);
        }
        throw new BpfException("no CapEff line in " + status);
    }

    private static void setMaxEntries(final MemorySegment object, final String name, final int maxEntries)
    {
        Libbpf.check(Libbpf.mapSetMaxEntries(map(object, name), maxEntries),
            "bpf_map__set_max_entries " + name + " " + maxEntries);
    }

    /** struct bpf_object_open_opts up to object_name: {size_t sz; const char *object_name; ...}. */
    private static MemorySegment openOpts(final Arena arena)
    {
        final MemorySegment opts = arena.allocate(16, 8);
        opts.set(JAVA_LONG, 0, 16);
        opts.set(ADDRESS, 8, arena.allocateFrom("flowrec"));
        return opts;
    }

    private static byte[] readElf()
    {
        try (InputStream in = FlowProgram.class.getResourceAsStream(NAME))
        {
            if (in == null)
            {
                throw new BpfException(NAME + " is not on the class path next to " + FlowProgram.class.getName());
            }
            return in.readAllBytes();
        }
        catch (final IOException e)
        {
            throw new BpfException("reading " + NAME + " from the class path", e);
        }
    }
}
