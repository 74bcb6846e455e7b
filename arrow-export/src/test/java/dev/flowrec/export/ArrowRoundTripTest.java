package dev.flowrec.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.query.Answer;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Owner;
import dev.flowrec.journal.text.Protocols;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Replay;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FlowFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrow IPC files and streams read back with Arrow Java hold exactly the deltas a replay of the journal
 * yields (the truth), row by row, with dictionaries decoded; grouped exports hold the engine's answer.
 */
class ArrowRoundTripTest
{
    private static final int DELTAS = 150_000; // more than two batches

    @TempDir
    static Path tmp;
    static Path journal;

    @BeforeAll
    static void writeJournal()
    {
        journal = tmp.resolve("journal-a");
        ExportJournal.write(journal, "alpha", DELTAS, 2.5, 1);
    }

    @Test
    void shouldExportEveryDeltaToAnArrowFile() throws Exception
    {
        final Path out = tmp.resolve("all.arrow");
        final ExportResult result = Exporter.run(ExportRequest.toFile(List.of(journal), Query.listing(Window.ALL), out,
            ExportFormat.arrow).withCommandLine("flowrec export --journal a --out all.arrow"));

        final List<List<Object>> rows;
        final Map<String, String> metadata;
        try (BufferAllocator allocator = new RootAllocator(); FileChannel channel = FileChannel.open(out);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            rows = readAll(reader);
            metadata = reader.getVectorSchemaRoot().getSchema().getCustomMetadata();
            assertEquals(metadata, reader.getMetaData(), "footer metadata as the schema's");
        }
        assertEquals(truth(journal, "alpha", Window.ALL, FilterParser.ALL), rows);
        assertEquals(DELTAS, result.rows());
        assertEquals("0.1.0", metadata.get("flowrec.version"));
        assertEquals("alpha", metadata.get("flowrec.hosts"));
        assertTrue(metadata.get("flowrec.query").contains("\"command\":\"flowrec export --journal a --out all.arrow\""));
        assertTrue(metadata.get("flowrec.coverage").contains("\"ring_lost_events\":3"), metadata.get("flowrec.coverage"));
        assertFalse(result.complete(), "the journal reports loss");
    }

    @Test
    void shouldAppendTheSocketOwnersPidAndCommToTheSchema() throws Exception
    {
        final Path out = tmp.resolve("owners.arrow");
        final Query query = new Query(Window.ALL, FilterParser.parse("comm proc-3 or pid 0"), List.of(), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        Exporter.run(ExportRequest.toFile(List.of(journal), query, out, ExportFormat.arrow));
        final List<List<Object>> rows;
        try (BufferAllocator allocator = new RootAllocator(); FileChannel channel = FileChannel.open(out);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            final List<Field> fields = reader.getVectorSchemaRoot().getSchema().getFields();
            assertEquals(List.of("tcp_flags", "tcp_flags_raw", "pid", "comm", "src_name", "dst_name"),
                fields.subList(fields.size() - 6, fields.size()).stream().map(Field::getName).toList(),
                "appended at the end, the DNS names after them");
            final Field pid = fields.get(fields.size() - 4);
            assertEquals(new org.apache.arrow.vector.types.pojo.ArrowType.Int(32, true), pid.getType());
            assertFalse(pid.isNullable());
            final Field comm = fields.get(fields.size() - 3);
            assertTrue(comm.getDictionary() != null, "comm is dictionary-encoded");
            assertEquals(org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE,
                reader.getDictionaryVectors().get(comm.getDictionary().getId()).getVectorType());
            rows = readAll(reader);
        }
        assertEquals(truth(journal, "alpha", Window.ALL, query.where()), rows);
        assertTrue(rows.stream().anyMatch(r -> r.get(15).equals(1003) && r.get(16).equals("proc-3")), "owned flows");
        assertTrue(rows.stream().anyMatch(r -> r.get(15).equals(0) && r.get(16).equals("")), "forwarded flows: 0, empty");
        assertTrue(rows.stream().allMatch(r -> r.get(16).equals("proc-3") || r.get(16).equals("")));
    }

    @Test
    void shouldNameEveryDeltaOfALongFlowByItsFirstPacket() throws Exception
    {
        // 80 deltas, one each 10 s (one flow), long past the answer's 60 s TTL + 300 s grace
        final Path named = tmp.resolve("journal-named");
        final long t0 = ExportJournal.T0_NS;
        final long s = ExportJournal.SECOND_NS;
        try (dev.flowrec.journal.TestJournal j = dev.flowrec.journal.TestJournal.openOnEth0(named, t0))
        {
            j.now(t0).dnsAnswer(t0, 1, "long.example.org", "long.example.org", 60, 0xC0000250);
            for (int at = 1; at <= 800; at += 10)
            {
                j.now(t0 + at * s).delta().at(t0 + at * s).packets(1).bytes(10).ipv4(0x0A000002, 0xC0000250)
                    .srcPort(41000).dstPort(443).proto(6).direction(1).ifindex(1).append();
            }
        }
        final Path out = tmp.resolve("named.arrow");
        final Query query = new Query(Window.ALL, FilterParser.parse("dst name long.example.org"), List.of(), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        Exporter.run(ExportRequest.toFile(List.of(named), query, out, ExportFormat.arrow));
        final List<List<Object>> rows;
        try (BufferAllocator allocator = new RootAllocator(); FileChannel channel = FileChannel.open(out);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            rows = readAll(reader);
        }
        assertEquals(80, rows.size(), "every delta passes the flow's name filter");
        assertTrue(rows.stream().allMatch(r -> r.getLast().equals("long.example.org")), "and carries it: " + rows);
    }

    @Test
    void shouldStreamAWindowAndAFilterAsAnArrowStream() throws Exception
    {
        final Window window = new Window(ExportJournal.T0_NS + 1800 * ExportJournal.SECOND_NS,
            ExportJournal.T0_NS + 5400 * ExportJournal.SECOND_NS);
        final FlowFilter where = FilterParser.parse("proto tcp and not dst port 443 or container 3f2a");
        final Query query = new Query(window, where, List.of(), 0, Query.By.bytes, 0, Query.NO_INSTANT);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ExportResult result = Exporter.run(ExportRequest.toStream(List.of(journal), query, bytes));

        final List<List<Object>> rows;
        try (BufferAllocator allocator = new RootAllocator();
            ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes.toByteArray()), allocator))
        {
            rows = readAll(reader);
        }
        final List<List<Object>> truth = truth(journal, "alpha", window, where);
        assertTrue(truth.size() > 10_000 && truth.size() < DELTAS / 2, "a real cut: " + truth.size());
        assertEquals(truth, rows);
        assertEquals(truth.size(), result.rows());
    }

    @Test
    void shouldExportTheEnginesGroupedAnswer() throws Exception
    {
        final Query query = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("proto,direction"), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        final Path out = tmp.resolve("grouped.arrow");
        Exporter.run(ExportRequest.toFile(List.of(journal), query, out, ExportFormat.arrow));
        final Answer answer = QueryEngine.run(journal, query, () -> false);

        final List<List<Object>> rows;
        try (BufferAllocator allocator = new RootAllocator(); FileChannel channel = FileChannel.open(out);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            rows = readAll(reader);
        }
        final List<List<Object>> expected = new ArrayList<>();
        for (final Object[] row : answer.rows())
        {
            final List<Object> values = new ArrayList<>();
            values.add("alpha");
            values.addAll(List.of(row));
            expected.add(values);
        }
        assertEquals(expected, rows);
    }

    @Test
    void shouldRefuseAFilterOnTotalsForDeltas()
    {
        final Query query = new Query(Window.ALL, FilterParser.parse("bytes > 1M"), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Exporter.run(
            ExportRequest.toFile(List.of(journal), query, tmp.resolve("never.arrow"), ExportFormat.arrow)));
        assertTrue(ex.getMessage().contains("--group-by"), ex.getMessage());
    }

    /** Every row of every batch, dictionary columns decoded to their strings, times and numbers as Long/Integer. */
    static List<List<Object>> readAll(final ArrowReader reader) throws Exception
    {
        final List<List<Object>> rows = new ArrayList<>();
        final VectorSchemaRoot root = reader.getVectorSchemaRoot();
        while (reader.loadNextBatch())
        {
            final List<ValueVector> columns = new ArrayList<>();
            final List<ValueVector> decoded = new ArrayList<>();
            for (final FieldVector v : root.getFieldVectors())
            {
                final Field f = v.getField();
                if (f.getDictionary() != null)
                {
                    final Dictionary dictionary = reader.getDictionaryVectors().get(f.getDictionary().getId());
                    final ValueVector values = DictionaryEncoder.decode(v, dictionary);
                    decoded.add(values);
                    columns.add(values);
                }
                else
                {
                    columns.add(v);
                }
            }
            for (int r = 0; r < root.getRowCount(); r++)
            {
                final List<Object> row = new ArrayList<>();
                for (final ValueVector c : columns)
                {
                    final Object value = c.getObject(r);
                    row.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
                }
                rows.add(row);
            }
            decoded.forEach(ValueVector::close);
        }
        return rows;
    }

    /** The deltas of a window that pass a filter, as a replay names them: the expected export. */
    static List<List<Object>> truth(final Path dir, final String host, final Window window, final FlowFilter where)
    {
        final List<List<Object>> rows = new ArrayList<>();
        Replay.run(dir, window, new dev.flowrec.query.FlowFold()
        {
            public void onFlow(final FlowDeltaDecoder d, final String iface, final String container)
            {
                onFlow(d, iface, container, Owner.NONE, dev.flowrec.query.FlowNames.NONE);
            }

            @Override
            public boolean wantsNames()
            {
                return true;
            }

            @Override
            public void onFlow(final FlowDeltaDecoder d, final String iface, final String container, final Owner owner,
                final dev.flowrec.query.FlowNames names)
            {
                final FlowRowView view = new FlowRowView(d, iface, container, owner);
                if (!where.test(view))
                {
                    return;
                }
                final byte[] src = new byte[16];
                final byte[] dst = new byte[16];
                d.getSrcAddr(src, 0, FlowDeltas.ADDRESS_LENGTH);
                d.getDstAddr(dst, 0, FlowDeltas.ADDRESS_LENGTH);
                rows.add(List.of(d.firstNs(), d.lastNs(), host, iface, container, Protocols.direction(d.direction()),
                    Protocols.name(d.proto()), Addresses.format(src, d.family()), d.srcPort(), Addresses.format(dst, d.family()),
                    d.dstPort(), d.packets(), d.bytes(), Protocols.tcpFlags(d.proto(), d.tcpFlags()), (int)d.tcpFlags(),
                    owner.pid(), owner.comm(), names.srcName(), names.dstName()));
            }
        }, () -> false);
        return rows;
    }

    /** The test's own view of a delta for the filter, independent of the exporter's. */
    private record FlowRowView(dev.flowrec.journal.schema.FlowDeltaDecoder d, String iface, String container,
        Owner owner) implements dev.flowrec.query.FlowView
    {
        public int pid()
        {
            return owner.pid();
        }

        public String comm()
        {
            return owner.comm();
        }

        public int direction()
        {
            return d.direction();
        }

        public int family()
        {
            return d.family();
        }

        public int proto()
        {
            return d.proto();
        }

        public int srcPort()
        {
            return d.srcPort();
        }

        public int dstPort()
        {
            return d.dstPort();
        }

        public long srcAddrHigh()
        {
            return FlowDeltas.srcAddrHigh(d);
        }

        public long srcAddrLow()
        {
            return FlowDeltas.srcAddrLow(d);
        }

        public long dstAddrHigh()
        {
            return FlowDeltas.dstAddrHigh(d);
        }

        public long dstAddrLow()
        {
            return FlowDeltas.dstAddrLow(d);
        }

        public long packets()
        {
            return d.packets();
        }

        public long bytes()
        {
            return d.bytes();
        }

        public int tcpFlags()
        {
            return d.tcpFlags();
        }
    }
}
