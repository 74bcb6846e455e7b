package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Runs an action on a thread of its own whose effective capabilities are only those given (its permitted set is
 * kept): the kernel checks a thread's own credentials at BPF_PROG_LOAD, so this is how a test loads programs as a
 * recorder with fewer capabilities than root would, without a second process.
 *
 * <pre>
 * struct __user_cap_header_struct: u32 version | int pid                         (version 3: 0x20080522)
 * struct __user_cap_data_struct[2]: u32 effective | u32 permitted | u32 inheritable  (capabilities 0-31, 32-63)
 * </pre>
 */
final class ThreadCapabilities
{
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_BPF = 39;

    private static final int VERSION_3 = 0x20080522;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor CAP_CALL = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle CAPGET = LINKER.downcallHandle(LINKER.defaultLookup().find("capget").orElseThrow(), CAP_CALL);
    private static final MethodHandle CAPSET = LINKER.downcallHandle(LINKER.defaultLookup().find("capset").orElseThrow(), CAP_CALL);

    private ThreadCapabilities()
    {
    }

    /** Runs action on a new thread with only the capabilities numbered in effective, and rethrows what it threw. */
    static void runWithOnly(final Runnable action, final int... effective) throws Exception
    {
        final Throwable[] thrown = new Throwable[1];
        final Thread thread = Thread.ofPlatform().name("fewer-capabilities").start(() ->
        {
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment header = arena.allocate(8, 4);
                header.set(JAVA_INT, 0, VERSION_3);
                final MemorySegment data = arena.allocate(24, 4);
                check((int)CAPGET.invokeExact(header, data), "capget");
                data.set(JAVA_INT, 0, 0);
                data.set(JAVA_INT, 12, 0);
                for (final int cap : effective)
                {
                    final long offset = cap < 32 ? 0 : 12;
                    data.set(JAVA_INT, offset, data.get(JAVA_INT, offset) | 1 << (cap % 32));
                }
                check((int)CAPSET.invokeExact(header, data), "capset");
                action.run();
            }
            catch (final Throwable t)
            {
                thrown[0] = t;
            }
        });
        thread.join();
        if (thrown[0] instanceof Exception e)
        {
            throw e;
        }
        if (thrown[0] instanceof Error e)
        {
            throw e;
        }
    }

    private static void check(final int rc, final String call)
    {
        if (rc != 0)
        {
            throw new IllegalStateException(call + " on the current thread failed: " + rc);
        }
    }
}
