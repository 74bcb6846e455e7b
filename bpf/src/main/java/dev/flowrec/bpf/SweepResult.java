package dev.flowrec.bpf;

/**
 * What one sweep did: flows flushed and removed, and whether it stopped early because the ring buffer was
 * nearly full (drain the ring, then sweep again).
 */
public record SweepResult(int removed, boolean incomplete)
{
}
