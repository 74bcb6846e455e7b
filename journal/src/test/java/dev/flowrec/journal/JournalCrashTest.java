package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer killed with SIGKILL in the middle of an event: the committed events survive, the half-written
 * one is not seen, and a restarted writer appends after them.
 */
class JournalCrashTest
{
    private static final int COMMITTED = 1000;

    @TempDir
    Path tmp;

    @Test
    void shouldStayReadableAndAppendableAfterKill9MidEvent() throws Exception
    {
        killMidWriteAndRestart("event");
    }

    /** The child dies with an open batch of 500 deltas written into the mapped file but never committed. */
    @Test
    void shouldLoseATornBatchWholeAndAppendAfterIt() throws Exception
    {
        killMidWriteAndRestart("batch");
    }

    private void killMidWriteAndRestart(final String mode) throws Exception
    {
        final Path dir = tmp.resolve("journal");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-D") || a.startsWith("--add-") || a.startsWith("--enable-native") ||
                a.startsWith("--sun-misc"))
            .toList());
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(CrashingWriter.class.getName());
        command.add(dir.toString());
        command.add(Integer.toString(COMMITTED));
        command.add(mode);

        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null && !line.equals("CLAIMED"))
            {
                // skip JVM warnings
            }
            assertEquals("CLAIMED", line, "child did not reach its open claim");
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }

        // Before any restart, a reader sees exactly the committed events and stops at the torn one.
        final int[] beforeRestart = new int[1];
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll((t, buffer, offset, length) -> beforeRestart[0]++, 256) > 0)
            {
            }
            assertEquals(0, reader.skippedEvents());
        }
        assertEquals(COMMITTED, beforeRestart[0]);

        final long start = System.nanoTime();
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            if (mode.equals("batch"))
            {
                appendDelta(writer, -1);
                writer.commitDeltas();
            }
            else
            {
                append(writer, -1);
            }
        }
        final long restartMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("reopen and first append after kill -9: " + restartMs + " ms");

        final List<Long> seen = new ArrayList<>();
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll((t, buffer, offset, length) -> seen.add(MessageHeader.wrap(delta, buffer, offset)
                .firstNs()), 256) > 0)
            {
            }
        }
        assertEquals(COMMITTED + 1, seen.size(), "committed events plus the one appended after restart");
        for (int i = 0; i < COMMITTED; i++)
        {
            assertEquals(i, seen.get(i));
        }
        assertEquals(-1L, seen.get(COMMITTED));
    }

    static void append(final JournalWriter writer, final long n)
    {
        final MutableDirectBuffer b = writer.claim(Templates.FLOW_DELTA_LENGTH);
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), b, 0).firstNs(n).lastNs(n).packets(1).bytes(100);
        writer.commit();
    }

    static void appendDelta(final JournalWriter writer, final long n)
    {
        final org.agrona.concurrent.UnsafeBuffer b =
            new org.agrona.concurrent.UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        writer.appendDelta(FlowDeltas.addressesV4(MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), b, 0)
            .firstNs(n).lastNs(n).packets(1).bytes(100), 0x0A000001, 0x0A000002).family(FlowDeltas.FAMILY_IPV4));
    }

    /** The child: commits events (or batches of deltas), then dies holding a half-written claim (or batch). */
    public static final class CrashingWriter
    {
        public static void main(final String[] args) throws InterruptedException
        {
            final JournalWriter writer = JournalWriter.open(Path.of(args[0]));
            final int events = Integer.parseInt(args[1]);
            if (args[2].equals("batch"))
            {
                for (int i = 0; i < events; i++)
                {
                    appendDelta(writer, i);
                    if (i % 100 == 99)
                    {
                        writer.commitDeltas();
                    }
                }
                writer.commitDeltas();
                for (int i = 0; i < 500; i++)
                {
                    appendDelta(writer, 999_999);
                }
            }
            else
            {
                for (int i = 0; i < events; i++)
                {
                    append(writer, i);
                }
                final MutableDirectBuffer b = writer.claim(Templates.FLOW_DELTA_LENGTH);
                MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), b, 0).firstNs(999_999);
            }
            System.out.println("CLAIMED");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
