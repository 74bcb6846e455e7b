package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import dev.flowrec.syscall.Libc;

/**
 * Raw libbpf 1.x bindings, one downcall handle per function. Calls returning int return -errno on failure
 * ({@link #check}); calls returning a pointer return NULL and set errno, which is captured by the same
 * downcall ({@code libbpf_get_error} afterwards would read an errno the JVM may have clobbered).
 * Longer than most classes on purpose: it is the one table of the process's libbpf handles (as
 * {@link dev.flowrec.syscall.Libc} is of libc's), each wrapper a few lines of the same shape with no logic of its
 * own; what to call and why lives in the classes that use it ({@link BpfObject}, {@link Rodata}, {@link Tc},
 * {@link CgroupLink}), and splitting the table would only spread it over several files.
 */
final class Libbpf
{
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBBPF = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());

    private static final MethodHandle OBJECT_OPEN_MEM = errnoCall("bpf_object__open_mem", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle OBJECT_LOAD = call("bpf_object__load", JAVA_INT, ADDRESS);
    private static final MethodHandle OBJECT_CLOSE = LINKER.downcallHandle(
        LIBBPF.findOrThrow("bpf_object__close"), FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle OBJECT_NEXT_MAP = call("bpf_object__next_map", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle OBJECT_FIND_MAP = call("bpf_object__find_map_by_name", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle OBJECT_FIND_PROGRAM = call("bpf_object__find_program_by_name", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle OBJECT_BTF = call("bpf_object__btf", ADDRESS, ADDRESS);
    private static final MethodHandle MAP_NAME = call("bpf_map__name", ADDRESS, ADDRESS);
    private static final MethodHandle MAP_FD = call("bpf_map__fd", JAVA_INT, ADDRESS);
    private static final MethodHandle MAP_MAX_ENTRIES = call("bpf_map__max_entries", JAVA_INT, ADDRESS);
    private static final MethodHandle MAP_SET_MAX_ENTRIES = call("bpf_map__set_max_entries", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle MAP_INITIAL_VALUE = call("bpf_map__initial_value", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle MAP_SET_INITIAL_VALUE = call("bpf_map__set_initial_value", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle PROGRAM_FD = call("bpf_program__fd", JAVA_INT, ADDRESS);
    private static final MethodHandle BTF_FIND_BY_NAME_KIND = call("btf__find_by_name_kind", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle BTF_TYPE_BY_ID = call("btf__type_by_id", ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle BTF_NAME_BY_OFFSET = call("btf__name_by_offset", ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle TC_HOOK_CREATE = call("bpf_tc_hook_create", JAVA_INT, ADDRESS);
    private static final MethodHandle TC_ATTACH = call("bpf_tc_attach", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle TC_DETACH = call("bpf_tc_detach", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle TC_QUERY = call("bpf_tc_query", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle LINK_CREATE = call("bpf_link_create", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle LINK_UPDATE = call("bpf_link_update", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle LINK_DETACH = call("bpf_link_detach", JAVA_INT, JAVA_INT);
    private static final MethodHandle OBJ_PIN = call("bpf_obj_pin", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle PROG_GET_FD_BY_ID = call("bpf_prog_get_fd_by_id", JAVA_INT, JAVA_INT);
    private static final MethodHandle PROG_QUERY = call("bpf_prog_query", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle PROGRAM_ATTACH_CGROUP =
        errnoCall("bpf_program__attach_cgroup", ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle LINK_DESTROY = call("bpf_link__destroy", JAVA_INT, ADDRESS);
    private static final MethodHandle PROGRAM_ATTACH_ITER = errnoCall("bpf_program__attach_iter", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle LINK_FD = call("bpf_link__fd", JAVA_INT, ADDRESS);
    private static final MethodHandle PROGRAM_SET_AUTOLOAD = call("bpf_program__set_autoload", JAVA_INT, ADDRESS, JAVA_BOOLEAN);
    private static final MethodHandle ITER_CREATE = call("bpf_iter_create", JAVA_INT, JAVA_INT);
    private static final MethodHandle MAP_UPDATE_ELEM = call("bpf_map_update_elem", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle MAP_DELETE_ELEM = call("bpf_map_delete_elem", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle PROG_TEST_RUN_OPTS = call("bpf_prog_test_run_opts", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle MAP_LOOKUP_ELEM = call("bpf_map_lookup_elem", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle MAP_SET_PIN_PATH = call("bpf_map__set_pin_path", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle OBJ_GET = call("bpf_obj_get", JAVA_INT, ADDRESS);
    private static final MethodHandle OBJ_GET_INFO_BY_FD = call("bpf_obj_get_info_by_fd", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle MAP_GET_NEXT_KEY = call("bpf_map_get_next_key", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle NUM_POSSIBLE_CPUS = call("libbpf_num_possible_cpus", JAVA_INT);
    private static final MethodHandle SET_PRINT = call("libbpf_set_print", ADDRESS, ADDRESS);

    static
    {
        try
        {
            final MemorySegment previous = (MemorySegment)SET_PRINT.invokeExact(LibbpfLog.printer());
        }
        catch (final Throwable t)
        {
            throw new ExceptionInInitializerError(t);
        }
    }

    private Libbpf()
    {
    }

    /** Returns rc, or throws "what: strerror (errno N)" when rc is a libbpf -errno. */
    static int check(final int rc, final String what)
    {
        if (rc < 0)
        {
            throw BpfException.errno(what, -rc);
        }
        return rc;
    }

    static MemorySegment objectOpenMem(final MemorySegment elf, final MemorySegment opts, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = Libc.callState(arena);
            final MemorySegment object = (MemorySegment)OBJECT_OPEN_MEM.invokeExact(state, elf, elf.byteSize(), opts);
            if (object.address() == 0)
            {
                throw BpfException.errno(what, Libc.errno(state));
            }
            return object;
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int objectLoad(final MemorySegment object)
    {
        try
        {
            return (int)OBJECT_LOAD.invokeExact(object);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static void objectClose(final MemorySegment object)
    {
        try
        {
            OBJECT_CLOSE.invokeExact(object);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The map after prev (NULL: the first), NULL after the last. */
    static MemorySegment objectNextMap(final MemorySegment object, final MemorySegment prev)
    {
        try
        {
            return (MemorySegment)OBJECT_NEXT_MAP.invokeExact(object, prev);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** NULL when the object has no such map. */
    static MemorySegment objectFindMap(final MemorySegment object, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (MemorySegment)OBJECT_FIND_MAP.invokeExact(object, arena.allocateFrom(name));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** NULL when the object has no such program. */
    static MemorySegment objectFindProgram(final MemorySegment object, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (MemorySegment)OBJECT_FIND_PROGRAM.invokeExact(object, arena.allocateFrom(name));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static MemorySegment objectBtf(final MemorySegment object)
    {
        try
        {
            return (MemorySegment)OBJECT_BTF.invokeExact(object);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static String mapName(final MemorySegment map)
    {
        try
        {
            return string((MemorySegment)MAP_NAME.invokeExact(map));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapFd(final MemorySegment map)
    {
        try
        {
            return (int)MAP_FD.invokeExact(map);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapMaxEntries(final MemorySegment map)
    {
        try
        {
            return (int)MAP_MAX_ENTRIES.invokeExact(map);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapSetMaxEntries(final MemorySegment map, final int maxEntries)
    {
        try
        {
            return (int)MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The map's initial contents (a .data/.rodata section), size written to sizeOut; NULL if none. */
    static MemorySegment mapInitialValue(final MemorySegment map, final MemorySegment sizeOut)
    {
        try
        {
            return (MemorySegment)MAP_INITIAL_VALUE.invokeExact(map, sizeOut);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapSetInitialValue(final MemorySegment map, final MemorySegment value)
    {
        try
        {
            return (int)MAP_SET_INITIAL_VALUE.invokeExact(map, value, value.byteSize());
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int programFd(final MemorySegment program)
    {
        try
        {
            return (int)PROGRAM_FD.invokeExact(program);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** A type id, or -errno when absent. */
    static int btfFindByNameKind(final MemorySegment btf, final String name, final int kind)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (int)BTF_FIND_BY_NAME_KIND.invokeExact(btf, arena.allocateFrom(name), kind);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The struct btf_type of id (NULL if none), sized to bytes for reading. */
    static MemorySegment btfTypeById(final MemorySegment btf, final int id, final long bytes)
    {
        try
        {
            return ((MemorySegment)BTF_TYPE_BY_ID.invokeExact(btf, id)).reinterpret(bytes);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static String btfNameByOffset(final MemorySegment btf, final int offset)
    {
        try
        {
            return string((MemorySegment)BTF_NAME_BY_OFFSET.invokeExact(btf, offset));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int tcHookCreate(final MemorySegment hook)
    {
        try
        {
            return (int)TC_HOOK_CREATE.invokeExact(hook);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int tcAttach(final MemorySegment hook, final MemorySegment opts)
    {
        try
        {
            return (int)TC_ATTACH.invokeExact(hook, opts);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int tcDetach(final MemorySegment hook, final MemorySegment opts)
    {
        try
        {
            return (int)TC_DETACH.invokeExact(hook, opts);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** 0 when the filter hook/opts names exists (its prog_id filled in), or -errno. */
    static int tcQuery(final MemorySegment hook, final MemorySegment opts)
    {
        try
        {
            return (int)TC_QUERY.invokeExact(hook, opts);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** BPF_LINK_CREATE: a new link fd, or -errno; opts a struct bpf_link_create_opts or NULL. */
    static int linkCreate(final int progFd, final int targetFd, final int attachType, final MemorySegment opts)
    {
        try
        {
            return (int)LINK_CREATE.invokeExact(progFd, targetFd, attachType, opts);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** BPF_LINK_UPDATE: 0 or -errno; opts a struct bpf_link_update_opts or NULL. */
    static int linkUpdate(final int linkFd, final int newProgFd, final MemorySegment opts)
    {
        try
        {
            return (int)LINK_UPDATE.invokeExact(linkFd, newProgFd, opts);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** BPF_LINK_DETACH: 0 or -errno. */
    static int linkDetach(final int linkFd)
    {
        try
        {
            return (int)LINK_DETACH.invokeExact(linkFd);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** BPF_OBJ_PIN: 0 or -errno. */
    static int objPin(final int fd, final String path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (int)OBJ_PIN.invokeExact(fd, arena.allocateFrom(path));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** A new fd of the program of that id, or -errno. */
    static int progGetFdById(final int id)
    {
        try
        {
            return (int)PROG_GET_FD_BY_ID.invokeExact(id);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** BPF_PROG_QUERY of target (an ifindex for TCX): the ids into progIds, their count into count (in: room); 0 or -errno. */
    static int progQuery(final int target, final int attachType, final MemorySegment progIds, final MemorySegment count)
    {
        try
        {
            return (int)PROG_QUERY.invokeExact(target, attachType, 0, MemorySegment.NULL, progIds, count);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int progTestRunOpts(final int progFd, final MemorySegment opts)
    {
        try
        {
            return (int)PROG_TEST_RUN_OPTS.invokeExact(progFd, opts);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /**
     * A struct bpf_link* for program on the cgroup2 directory behind cgroupFd, or NULL with the errno in
     * errnoOut[0]. libbpf 1.x creates a BPF link (BPF_LINK_CREATE), which the kernel always attaches as
     * BPF_F_ALLOW_MULTI: other programs on the cgroup stay.
     */
    static MemorySegment programAttachCgroup(final MemorySegment program, final int cgroupFd, final int[] errnoOut)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = Libc.callState(arena);
            final MemorySegment link = (MemorySegment)PROGRAM_ATTACH_CGROUP.invokeExact(state, program, cgroupFd);
            errnoOut[0] = link.address() == 0 ? Libc.errno(state) : 0;
            return link;
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** A struct bpf_link* for an iterator program (no options), or NULL with the errno in errnoOut[0]. */
    static MemorySegment programAttachIter(final MemorySegment program, final int[] errnoOut)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = Libc.callState(arena);
            final MemorySegment link = (MemorySegment)PROGRAM_ATTACH_ITER.invokeExact(state, program, MemorySegment.NULL);
            errnoOut[0] = link.address() == 0 ? Libc.errno(state) : 0;
            return link;
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** Whether bpf_object__load loads program; 0 or -errno (before the load only). */
    static int programSetAutoload(final MemorySegment program, final boolean autoload)
    {
        try
        {
            return (int)PROGRAM_SET_AUTOLOAD.invokeExact(program, autoload);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The fd of a link (owned by the link). */
    static int linkFd(final MemorySegment link)
    {
        try
        {
            return (int)LINK_FD.invokeExact(link);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** A new fd that runs the iterator of linkFd as it is read; the caller closes it. -errno on failure. */
    static int iterCreate(final int linkFd)
    {
        try
        {
            return (int)ITER_CREATE.invokeExact(linkFd);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** Detaches (closes the link's fd) and frees link; 0 or -errno. */
    static int linkDestroy(final MemorySegment link)
    {
        try
        {
            return (int)LINK_DESTROY.invokeExact(link);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapUpdateElem(final int mapFd, final MemorySegment key, final MemorySegment value, final long flags)
    {
        try
        {
            return (int)MAP_UPDATE_ELEM.invokeExact(mapFd, key, value, flags);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapDeleteElem(final int mapFd, final MemorySegment key)
    {
        try
        {
            return (int)MAP_DELETE_ELEM.invokeExact(mapFd, key);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int mapLookupElem(final int mapFd, final MemorySegment key, final MemorySegment value)
    {
        try
        {
            return (int)MAP_LOOKUP_ELEM.invokeExact(mapFd, key, value);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** Pins the map at path on load (reusing a map pinned there already, if compatible); 0 or -errno. */
    static int mapSetPinPath(final MemorySegment map, final String path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (int)MAP_SET_PIN_PATH.invokeExact(map, arena.allocateFrom(path));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** A new fd of the object pinned at path, or -errno. */
    static int objGet(final String path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (int)OBJ_GET.invokeExact(arena.allocateFrom(path));
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** Fills info (its byteSize given to the kernel as the length); 0 or -errno. */
    static int objGetInfoByFd(final int fd, final MemorySegment info)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int)info.byteSize());
            return (int)OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The key after key (NULL: the first) into next; 0, or -ENOENT after the last. */
    static int mapGetNextKey(final int mapFd, final MemorySegment key, final MemorySegment next)
    {
        try
        {
            return (int)MAP_GET_NEXT_KEY.invokeExact(mapFd, key, next);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    static int numPossibleCpus()
    {
        try
        {
            return check((int)NUM_POSSIBLE_CPUS.invokeExact(), "libbpf_num_possible_cpus");
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    private static String string(final MemorySegment cString)
    {
        return cString.address() == 0 ? null : cString.reinterpret(Integer.MAX_VALUE).getString(0);
    }

    private static MethodHandle call(final String name, final MemoryLayout result,
        final MemoryLayout... args)
    {
        return LINKER.downcallHandle(LIBBPF.findOrThrow(name), FunctionDescriptor.of(result, args));
    }

    private static MethodHandle errnoCall(final String name, final MemoryLayout result,
        final MemoryLayout... args)
    {
        return LINKER.downcallHandle(
            LIBBPF.findOrThrow(name), FunctionDescriptor.of(result, args), Linker.Option.captureCallState("errno"));
    }
}
