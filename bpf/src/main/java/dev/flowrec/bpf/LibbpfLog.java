package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import dev.flowrec.syscall.Libc;

/**
 * libbpf's log, routed through Java (libbpf_set_print, process-wide). Warnings and info go to the sink the
 * command line sets ({@link #sink}; none until then: a library writes to no stream of its own), except during
 * {@link #capture}: there they are kept and returned, because netlink's "Parent Qdisc doesn't exists" on a
 * probe for stale filters is an expected answer, and for an unexpected failure the kernel's words belong
 * in the exception.
 */
public final class LibbpfLog
{
    private static final int LIBBPF_DEBUG = 2;
    private static final int MESSAGE_MAX = 4096;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ThreadLocal<MemorySegment> BUFFER =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(MESSAGE_MAX));
    private static final ThreadLocal<StringBuilder> CAPTURED = new ThreadLocal<>();
    private static volatile Consumer<String> sink = message -> {};

    /** What a captured call returned and what libbpf said meanwhile ("" when nothing). */
    record Captured(int rc, String messages)
    {
        /** The failure this rc reports: "what: strerror (errno N); libbpf: Kernel error message: ...". */
        BpfException failure(final String what)
        {
            return BpfException.errno(what, -rc, messages);
        }
    }

    private LibbpfLog()
    {
    }

    /** Where libbpf's messages go from now on, one line each (the command line: stderr). */
    public static void sink(final Consumer<String> lines)
    {
        sink = lines;
    }

    /** The print callback to hand to libbpf_set_print; lives as long as the JVM. */
    static MemorySegment printer()
    {
        try
        {
            final MethodHandle print = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            return LINKER.upcallStub(print, FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Runs a libbpf call on this thread with its log messages captured instead of printed. */
    static Captured capture(final IntSupplier call)
    {
        final StringBuilder previous = CAPTURED.get();
        final StringBuilder messages = new StringBuilder();
        CAPTURED.set(messages);
        try
        {
            final int rc = call.getAsInt();
            return new Captured(rc, messages.toString());
        }
        finally
        {
            CAPTURED.set(previous);
        }
    }

    /** libbpf's print callback: int (*)(enum libbpf_print_level, const char *fmt, va_list args). */
    private static int print(final int level, final MemorySegment format, final MemorySegment args)
    {
        // An exception escaping an upcall kills the JVM: nothing may leave this method.
        try
        {
            if (level >= LIBBPF_DEBUG)
            {
                return 0;
            }
            final MemorySegment buffer = BUFFER.get();
            final int ignored = Libc.vsnprintf(buffer, format, args);
            final String message = buffer.getString(0).strip();
            final StringBuilder captured = CAPTURED.get();
            if (captured != null)
            {
                captured.append(captured.isEmpty() ? "" : "; ").append(message);
            }
            else
            {
                sink.accept(message);
            }
        }
        catch (final Throwable ignored)
        {
            // a lost log line is better than a dead JVM
        }
        return 0;
    }
}
