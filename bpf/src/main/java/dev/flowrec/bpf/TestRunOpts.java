package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One reusable {@code struct bpf_test_run_opts} for BPF_PROG_TEST_RUN, which runs a program on a packet built
 * by the caller. Offsets checked against C offsetof on x86_64 (libbpf 1.1):
 *
 * <pre>
 *  0 sz | 8 data_in | 16 data_out | 24 data_size_in | 28 data_size_out | 32 ctx_in | 40 ctx_out
 * 48 ctx_size_in | 52 ctx_size_out | 56 retval | 60 repeat | 64 duration | 68 flags | 72 cpu | 76 batch_size
 * </pre>
 */
final class TestRunOpts
{
    /** The kernel builds an skb around the data and wants at least an Ethernet header's worth. */
    static final int MIN_FRAME = 14;
    private static final long SIZE = 80;

    private final MemorySegment opts;

    TestRunOpts(final Arena arena)
    {
        opts = arena.allocate(SIZE, 8);
    }

    /** Runs progFd repeat times on data (copied in by the kernel); returns the program's return value. */
    int run(final int progFd, final MemorySegment data, final int repeat, final String what)
    {
        if (data.byteSize() < MIN_FRAME)
        {
            throw new IllegalArgumentException(what + ": a frame needs at least " + MIN_FRAME + " bytes");
        }
        opts.fill((byte)0);
        opts.set(JAVA_LONG, 0, SIZE);
        opts.set(ADDRESS, 8, data);
        opts.set(JAVA_INT, 24, (int)data.byteSize());
        opts.set(JAVA_INT, 60, repeat);
        Libbpf.check(Libbpf.progTestRunOpts(progFd, opts), "bpf_prog_test_run_opts " + what);
        return opts.get(JAVA_INT, 56);
    }

    /** Average run time of the last run, ns per repeat, as the kernel measured it. */
    long durationNs()
    {
        return Integer.toUnsignedLong(opts.get(JAVA_INT, 64));
    }
}
