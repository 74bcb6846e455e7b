package dev.flowrec.bench;

import dev.flowrec.bench.Drains.Drain;
import dev.flowrec.bench.Drains.Kind;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.recorder.RecorderDrain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.IdleStrategy;

/** Runs a drain on the recorder's idle strategy; the drain is opened and closed on this thread. */
final class ConsumerThread implements Runnable
{
    private final Kind kind;
    private final FlowProgram program;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong events = new AtomicLong();
    private volatile boolean running = true;
    private volatile long threadId;
    private volatile Throwable failure;

    ConsumerThread(final Kind kind, final FlowProgram program)
    {
        this.kind = kind;
        this.program = program;
    }

    public void run()
    {
        threadId = Thread.currentThread().threadId();
        try (Drain drain = kind.open(program))
        {
            ready.countDown();
            final IdleStrategy idle = RecorderDrain.idleStrategy();
            while (running)
            {
                idle.idle(drain.doWork());
                events.setRelease(drain.events());
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
        finally
        {
            ready.countDown();
        }
    }

    void awaitReady() throws InterruptedException
    {
        ready.await();
        rethrow();
    }

    long events()
    {
        return events.getAcquire();
    }

    long threadId()
    {
        return threadId;
    }

    void stop()
    {
        running = false;
    }

    void rethrow()
    {
        if (failure != null)
        {
            throw new IllegalStateException(kind.label + " failed: " + failure, failure);
        }
    }
}
