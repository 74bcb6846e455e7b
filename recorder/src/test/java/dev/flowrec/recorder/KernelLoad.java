package dev.flowrec.recorder;

import dev.flowrec.bpf.BpfException;
import dev.flowrec.bpf.FlowProgram;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Ring-buffer load from the kernel with no network: the real TC program run by BPF_PROG_TEST_RUN on crafted
 * IPv4/UDP frames, each of its own 5-tuple. In packet mode (flush interval 0) every repetition is one record.
 */
public final class KernelLoad
{
    private static final int ETH_P_IP = 0x0800;
    private static final int UDP = 17;

    private KernelLoad()
    {
    }

    /** flows Ethernet/IPv4/UDP frames, 10.213.0.0/16 → 10.214.0.1, source port 40000 + i, 64 bytes of payload. */
    public static byte[][] udpFrames(final int flows)
    {
        final byte[][] frames = new byte[flows][];
        for (int i = 0; i < flows; i++)
        {
            frames[i] = udp(0x0AD50000 | (i + 1), 0x0AD60001, 40000 + i, 53, 64);
        }
        return frames;
    }

    private static final int EINTR = 4;

    /**
     * Runs the ingress program perFrame times on each frame: frames.length * perFrame records in packet mode,
     * fewer if a signal cut a run short (see {@link #run}); the kernel's packets_seen counter says how many.
     */
    public static void push(final FlowProgram program, final byte[][] frames, final int perFrame)
    {
        for (final byte[] frame : frames)
        {
            run(program, frame, perFrame);
        }
    }

    /**
     * Runs the ingress program repeat times on frame. The kernel stops a run early when a signal is pending
     * (EINTR; JFR's sampler sends them): the repetitions done so far stand, so that is not a failure here.
     */
    public static void run(final FlowProgram program, final byte[] frame, final int repeat)
    {
        try
        {
            program.testRun(frame, repeat, false);
        }
        catch (final BpfException ex)
        {
            if (ex.errno() != EINTR)
            {
                throw ex;
            }
        }
    }

    /**
     * A thread offering records at a paced rate (0: as fast as the kernel runs), batch repetitions per
     * BPF_PROG_TEST_RUN call, cycling through the frames. The pace is a schedule, not a sleep per call: a late
     * call is followed by early ones, so the average rate holds even when parking oversleeps.
     */
    public static final class Producer implements Runnable
    {
        private final FlowProgram program;
        private final byte[][] frames;
        private final int batch;
        private final double ratePerSecond;
        private final AtomicLong offered = new AtomicLong();
        private volatile boolean running = true;

        public Producer(final FlowProgram program, final byte[][] frames, final int batch, final double ratePerSecond)
        {
            this.program = program;
            this.frames = frames;
            this.batch = batch;
            this.ratePerSecond = ratePerSecond;
        }

        /**
         * Repetitions per call that keep calls about 200 µs apart at ratePerSecond (flat out: 4096). The producer
         * parks in between rather than spinning: on two CPUs a spinning producer takes the consumer's CPU.
         */
        public static int batchFor(final double ratePerSecond)
        {
            return ratePerSecond <= 0 ? 4096 : (int)Math.max(1, Math.min(4096, ratePerSecond / 5_000));
        }

        public void run()
        {
            final long startNs = System.nanoTime();
            long sent = 0;
            int next = 0;
            while (running)
            {
                KernelLoad.run(program, frames[next], batch);
                next = next + 1 == frames.length ? 0 : next + 1;
                sent += batch;
                offered.setRelease(sent);
                if (ratePerSecond > 0)
                {
                    waitUntil(startNs + (long)(sent * 1e9 / ratePerSecond));
                }
            }
        }

        /** Repetitions asked for so far (a run cut short by a signal counts in full: see packets_seen for exact). */
        public long offered()
        {
            return offered.getAcquire();
        }

        public void stop()
        {
            running = false;
        }

        private void waitUntil(final long dueNs)
        {
            long left;
            while (running && (left = dueNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(left); // oversleeps by the timer slack (50 µs): the schedule catches up
            }
        }
    }

    private static byte[] udp(final int src, final int dst, final int sport, final int dport, final int payload)
    {
        final int ipLength = 20 + 8 + payload;
        final ByteBuffer frame = ByteBuffer.allocate(14 + ipLength);
        frame.put(new byte[]{ 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 }).putShort((short)ETH_P_IP);
        frame.put((byte)0x45).put((byte)0).putShort((short)ipLength).putShort((short)0).putShort((short)0x4000)
            .put((byte)64).put((byte)UDP).putShort((short)0).putInt(src).putInt(dst);
        frame.putShort(14 + 10, checksum(frame.array(), 14, 20));
        frame.putShort((short)sport).putShort((short)dport).putShort((short)(8 + payload)).putShort((short)0);
        return frame.array();
    }

    private static short checksum(final byte[] bytes, final int from, final int length)
    {
        int sum = 0;
        for (int i = from; i < from + length; i += 2)
        {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short)~sum;
    }
}
