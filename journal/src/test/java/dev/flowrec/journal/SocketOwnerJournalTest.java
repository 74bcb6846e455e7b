package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SocketOwner event reads back from the journal, before its flow's first delta, and from the catalog, for seeks. */
class SocketOwnerJournalTest
{
    private static final long T0 = 1_767_225_600_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldJournalAndCatalogSocketOwners()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            journal.delta().at(T0).packets(1).bytes(60).ipv4(0x0A000001, 0x0A000002).srcPort(40000).dstPort(443)
                .proto(6).direction(1).ifindex(1).socketOwner(0, 4242, "curl").append();
        }
        final List<String> journaled = new ArrayList<>();
        final SocketOwnerDecoder owner = new SocketOwnerDecoder();
        final EventHandler names = (templateId, buffer, offset, length) -> journaled.add(
            templateId == SocketOwnerDecoder.TEMPLATE_ID ? describe(MessageHeader.wrap(owner, buffer, offset)) :
                String.valueOf(templateId));
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll(names, 16) > 0)
            {
                // the handler does the work
            }
            assertEquals(0, reader.skippedEvents());
        }
        assertEquals(List.of("2", "3", "owner 4242 curl 40000>443 if1 out", "1"), journaled);

        journaled.clear();
        assertTrue(CatalogEvents.replay(dir, names));
        assertEquals(List.of("2", "3", "owner 4242 curl 40000>443 if1 out"), journaled, "every event but deltas");
    }

    private static String describe(final SocketOwnerDecoder o)
    {
        return "owner " + o.pid() + " " + o.comm() + " " + o.srcPort() + ">" + o.dstPort() + " if" + o.ifindex() +
            (o.direction() == 1 ? " out" : " in");
    }
}
