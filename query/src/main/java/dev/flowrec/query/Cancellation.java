package dev.flowrec.query;

import java.util.function.BooleanSupplier;

/**
 * Lets a long loop of the engine stop soon after Ctrl-C: each step of the loop counts, and every
 * {@link #STEPS_PER_POLL} steps the cancel flag is polled (a volatile read: too dear per delta, nothing per 1024).
 * A set flag throws {@link QueryCancelledException}, so no caller mistakes part of an answer for the answer.
 */
public final class Cancellation
{
    /** A power of two: at most this many steps of any loop run after the flag is set. */
    public static final int STEPS_PER_POLL = 1024;

    private final BooleanSupplier flag;
    private long steps;

    public Cancellation(final BooleanSupplier flag)
    {
        this.flag = flag;
    }

    /** One step of a long loop: polls the flag every {@link #STEPS_PER_POLL} steps. */
    public void step()
    {
        if ((++steps & STEPS_PER_POLL - 1) == 0)
        {
            check();
        }
    }

    /** Polls the flag now. */
    public void check()
    {
        if (flag.getAsBoolean())
        {
            throw new QueryCancelledException();
        }
    }

    /** @return the steps counted so far, over every loop. */
    public long steps()
    {
        return steps;
    }

    /** The flag itself, for code that polls at its own pace (the replay, between read batches). */
    public BooleanSupplier flag()
    {
        return flag;
    }
}
