package dev.flowrec.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.FlowEventHandler;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * libbpf's own ring-buffer consumer (ring_buffer__new, ring_buffer__consume) calling back into Java through an
 * FFM upcall per record: the usual way to read a BPF ring buffer from a managed language, the baseline the
 * recorder's mmap'd reader is compared with. ring_buffer__consume rather than ring_buffer__poll: poll consumes
 * only the rings epoll reports ready, and flowrec's program submits with BPF_RB_NO_WAKEUP, so no wakeup ever
 * marks the ring ready (checked: with 400 records in the ring, poll returned 0 twice; consume then read 400).
 * consume reads every ring without waiting, and the caller idles as the recorder does.
 * Single-threaded.
 */
final class LibbpfRing implements AutoCloseable
{
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBBPF = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
        .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle NEW = LINKER.downcallHandle(LIBBPF.findOrThrow("ring_buffer__new"),
        FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), ERRNO);
    private static final MethodHandle CONSUME = LINKER.downcallHandle(LIBBPF.findOrThrow("ring_buffer__consume"),
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FREE = LINKER.downcallHandle(LIBBPF.findOrThrow("ring_buffer__free"),
        FunctionDescriptor.ofVoid(ADDRESS));
    /** int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size) */
    private static final FunctionDescriptor SAMPLE_FN = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);

    private final Arena arena = Arena.ofShared();
    private final FlowEventHandler handler;
    private final UnsafeBuffer sample = new UnsafeBuffer(0, 0);
    private final FlowEventDecoder decoder = new FlowEventDecoder();
    private final MemorySegment ring;
    private long records;

    LibbpfRing(final int mapFd, final FlowEventHandler handler)
    {
        this.handler = handler;
        try
        {
            final MethodHandle onSample = MethodHandles.lookup().findVirtual(LibbpfRing.class, "onSample",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class)).bindTo(this);
            final MemorySegment callback = LINKER.upcallStub(onSample, SAMPLE_FN, arena);
            final MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            ring = (MemorySegment)NEW.invokeExact(errno, mapFd, callback, MemorySegment.NULL, MemorySegment.NULL);
            if (ring.address() == 0)
            {
                throw new IllegalStateException("ring_buffer__new on map fd " + mapFd + " failed: errno "
                    + (int)ERRNO_VALUE.get(errno, 0L));
            }
        }
        catch (final RuntimeException | Error ex)
        {
            arena.close();
            throw ex;
        }
        catch (final Throwable t)
        {
            arena.close();
            throw new IllegalStateException("ring_buffer__new on map fd " + mapFd + ": " + t, t);
        }
    }

    /** Consumes every committed record; returns how many, as ring_buffer__consume counts them. */
    int consume()
    {
        final int n;
        try
        {
            n = (int)CONSUME.invokeExact(ring);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("ring_buffer__consume: " + t, t);
        }
        if (n < 0)
        {
            throw new IllegalStateException("ring_buffer__consume failed: errno " + -n);
        }
        return n;
    }

    /** Records delivered to the handler so far. */
    long records()
    {
        return records;
    }

    public void close()
    {
        try
        {
            FREE.invokeExact(ring);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("ring_buffer__free: " + t, t);
        }
        finally
        {
            arena.close();
        }
    }

    /** The upcall: the same flyweight and handler as the mmap'd reader, over libbpf's pointer to the sample. */
    private int onSample(final MemorySegment ctx, final MemorySegment data, final long size)
    {
        if (size == FlowEventDecoder.LENGTH)
        {
            sample.wrap(data.address(), (int)size);
            handler.onFlowEvent(decoder.wrap(sample, 0));
            records++;
        }
        return 0;
    }
}
