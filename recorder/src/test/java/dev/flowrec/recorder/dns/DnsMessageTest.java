package dev.flowrec.recorder.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DnsMessageTest
{
    private static final int QUESTION = 12; // where the question's name starts

    private final DnsMessage m = new DnsMessage();

    private int decode(final byte[] bytes)
    {
        return m.decode(new UnsafeBuffer(bytes), 0, bytes.length, bytes.length);
    }

    private String address(final int i) throws Exception
    {
        final byte[] b = new byte[16];
        m.addresses().getBytes(i * 16, b);
        return InetAddress.getByAddress(b).getHostAddress();
    }

    @Test
    void shouldReadAnARecordWithItsTtl() throws Exception
    {
        final byte[] msg = DnsWire.response(1, false).question("WWW.Example.org", 1).a(QUESTION, 300, 192, 0, 2, 7).bytes();
        assertEquals(DnsMessage.OK, decode(msg));
        assertEquals("www.example.org", m.questionText());
        assertEquals("www.example.org", m.finalNameText());
        assertEquals(1, m.addressCount());
        assertEquals("192.0.2.7", address(0));
        assertEquals(300, m.ttl(0));
        assertFalse(m.truncatedByServer());
    }

    @Test
    void shouldFollowACnameChainToItsAddresses() throws Exception
    {
        final DnsWire w = DnsWire.response(4, false).question("app.example.org", 1);
        final int cnameRdata = w.size() + 12;
        w.pointer(QUESTION).u16(5).u16(1).u32(60).u16(17).name("cdn.example.net"); // 17 bytes: 3cdn7example3net0
        final int secondRdata = w.size() + 12;
        w.pointer(cnameRdata).u16(5).u16(1).u32(60).u16(7).u8(4).u8('e').u8('d').u8('g').u8('e').pointer(cnameRdata + 4);
        w.a(secondRdata, 20, 198, 51, 100, 1).a(secondRdata, 30, 198, 51, 100, 2);
        assertEquals(DnsMessage.OK, decode(w.bytes()));
        assertEquals("app.example.org", m.questionText());
        assertEquals("edge.example.net", m.finalNameText());
        assertEquals(2, m.addressCount());
        assertEquals("198.51.100.1", address(0));
        assertEquals("198.51.100.2", address(1));
        assertEquals(30, m.ttl(1));
    }

    @Test
    void shouldReadAaaa() throws Exception
    {
        final DnsWire w = DnsWire.response(1, false).question("v6.example.org", 28);
        w.pointer(QUESTION).u16(28).u16(1).u32(120).u16(16);
        for (final int b : new int[] {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53})
        {
            w.u8(b);
        }
        assertEquals(DnsMessage.OK, decode(w.bytes()));
        assertEquals("2001:db8:0:0:0:0:0:53", address(0));
        assertEquals(120, m.ttl(0));
    }

    @Test
    void shouldKeepAHundredRecords() throws Exception
    {
        final DnsWire w = DnsWire.response(100, false).question("many.example.org", 1);
        for (int i = 0; i < 100; i++)
        {
            w.a(QUESTION, 60, 10, 9, 0, i);
        }
        assertEquals(DnsMessage.OK, decode(w.bytes()));
        assertEquals(100, m.addressCount());
        assertEquals("10.9.0.99", address(99));
    }

    @Test
    void shouldKeepTheAnswersOfAMessageCutShortAndSaySo() throws Exception
    {
        final DnsWire w = DnsWire.response(3, true).question("cut.example.org", 1);
        w.a(QUESTION, 60, 10, 0, 0, 1).a(QUESTION, 60, 10, 0, 0, 2).a(QUESTION, 60, 10, 0, 0, 3);
        final byte[] msg = w.bytes();
        assertEquals(DnsMessage.CUT_SHORT, m.decode(new UnsafeBuffer(msg), 0, msg.length - 5, msg.length));
        assertEquals(2, m.addressCount());
        assertTrue(m.truncatedByServer());
        assertEquals(DnsMessage.MALFORMED, m.decode(new UnsafeBuffer(msg), 0, msg.length - 5, msg.length - 5),
            "a message that claims records it does not hold, and was not cut by the capture");
    }

    @Test
    void shouldRefuseLoopingAndForwardPointers()
    {
        final DnsWire self = DnsWire.response(1, false).question("x.org", 1);
        self.pointer(self.size()).u16(1).u16(1).u32(1).u16(4).u32(0); // owner points at itself
        assertEquals(DnsMessage.LOOPING, decode(self.bytes()));

        final DnsWire forward = DnsWire.response(0, false);
        forward.pointer(20).u16(1).u16(1).u8(1).u8('a').pointer(12); // question: a pointer past itself to one back
        assertEquals(DnsMessage.LOOPING, decode(forward.bytes()));
    }

    @Test
    void shouldRefuseWhatIsNotOneQuestionsResponse()
    {
        final byte[] query = DnsWire.response(0, false).question("q.org", 1).bytes();
        query[2] &= 0x7F;
        assertEquals(DnsMessage.MALFORMED, decode(query));
        assertEquals(DnsMessage.MALFORMED, decode(new byte[5]));
        final byte[] bad = DnsWire.response(1, false).question("q.org", 1).a(QUESTION, 1, 1, 2, 3, 4).bytes();
        bad[bad.length - 5] = 5; // rdlength 5 for an A record
        assertEquals(DnsMessage.MALFORMED, decode(bad));
    }

    @Test
    void shouldCutWhatIsOversized()
    {
        final DnsWire w = DnsWire.response(300, false).question("big.org", 1);
        for (int i = 0; i < 300; i++)
        {
            w.a(QUESTION, 60, 10, 1, i >> 8, i & 0xFF);
        }
        assertEquals(DnsMessage.OVERSIZED, decode(w.bytes()));
        assertEquals(DnsMessage.MAX_RECORDS, m.addressCount());
    }

    @Test
    void shouldEscapeWhatIsNotPrintable()
    {
        final byte[] msg = DnsWire.response(1, false).question("a.b", 1).a(QUESTION, 1, 1, 2, 3, 4).bytes();
        msg[QUESTION + 1] = '.';
        assertEquals(DnsMessage.OK, decode(msg));
        assertEquals("\\046.b", m.questionText());
    }

    /**
     * A million messages, half random bytes, half valid responses with a few bytes changed, a length cut or a claimed
     * length raised: nothing escapes, and nothing is allocated per message.
     */
    @Test
    void shouldSurviveAMillionHostileMessagesWithoutAllocating()
    {
        final DnsWire w = DnsWire.response(3, false).question("fuzz.example.org", 1);
        final int cname = w.size() + 12;
        w.pointer(QUESTION).u16(5).u16(1).u32(60).u16(10).u8(1).u8('c').pointer(QUESTION);
        w.a(cname, 5, 10, 0, 0, 1).a(cname, 5, 10, 0, 0, 2);
        final byte[] seed = w.bytes();
        final byte[] bytes = new byte[DnsMessage.MAX_NAME_WIRE * 8];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final SplittableRandom random = new SplittableRandom(17);
        final long[] outcomes = new long[5];
        run(buffer, bytes, seed, random, outcomes, 20_000); // warm up

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        run(buffer, bytes, seed, random, outcomes, 1_000_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(0, allocated, "bytes allocated over a million messages: " + Arrays.toString(outcomes));
        for (int outcome = DnsMessage.OK; outcome <= DnsMessage.LOOPING; outcome++)
        {
            assertTrue(outcomes[outcome] > 0, "every outcome but OVERSIZED met: " + Arrays.toString(outcomes));
        }
    }

    private void run(final UnsafeBuffer buffer, final byte[] bytes, final byte[] seed, final SplittableRandom random,
        final long[] outcomes, final int messages)
    {
        for (int n = 0; n < messages; n++)
        {
            int length;
            if ((n & 1) == 0)
            {
                length = random.nextInt(bytes.length);
                for (int i = 0; i < length; i++)
                {
                    bytes[i] = (byte)random.nextInt(256);
                }
                if (length > 6)
                {
                    bytes[2] |= (byte)0x80; // a response
                    bytes[4] = 0;
                    bytes[5] = 1;       // with one question: the decoder reads on
                    bytes[6] = 0;
                }
            }
            else
            {
                System.arraycopy(seed, 0, bytes, 0, seed.length);
                length = seed.length;
                final int changes = 1 + random.nextInt(4);
                for (int c = 0; c < changes; c++)
                {
                    final int at = random.nextInt(seed.length);
                    bytes[at] = random.nextBoolean() ? (byte)random.nextInt(256) : (byte)(0xC0 | random.nextInt(64));
                }
                if (random.nextInt(4) == 0)
                {
                    length = random.nextInt(seed.length);
                }
            }
            final int wire = random.nextInt(8) == 0 ? length + 1 + random.nextInt(100) : length;
            outcomes[m.decode(buffer, 0, length, wire)]++;
        }
    }
}
