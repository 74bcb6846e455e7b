package dev.flowrec.query.shell;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.DnsAnswerDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.agrona.DirectBuffer;

/**
 * The interface names, container ids, command names of socket owners and DNS names (the questions of its DnsAnswer
 * events, at most {@link #MAX_DNS_NAMES}) a journal knows, for completion. Read once when the shell starts, from
 * the journal's catalog (its events other than flow deltas), so that it costs the same for an hour of recording
 * as for a month; a journal without a catalog is read whole, deltas skipped.
 */
record JournalNames(List<String> interfaces, List<String> containers, List<String> commands, List<String> dnsNames)
{
    static final JournalNames NONE = new JournalNames(List.of(), List.of(), List.of(), List.of());
    /** The most DNS names kept for completion: a shell's memory does not follow the journal's names. */
    static final int MAX_DNS_NAMES = 10_000;

    static JournalNames read(final Path journal)
    {
        final TreeSet<String> interfaces = new TreeSet<>();
        final TreeSet<String> containers = new TreeSet<>();
        final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        final ContainerSeenDecoder seen = new ContainerSeenDecoder();
        final TreeSet<String> commands = new TreeSet<>();
        final SocketOwnerDecoder owner = new SocketOwnerDecoder();
        final TreeSet<String> dnsNames = new TreeSet<>();
        final DnsAnswerDecoder answer = new DnsAnswerDecoder();
        final EventHandler handler = (final int templateId, final DirectBuffer buffer, final int offset,
            final int length) ->
        {
            if (templateId == InterfaceAttachedDecoder.TEMPLATE_ID)
            {
                MessageHeader.wrap(attached, buffer, offset);
                add(interfaces, attached.ifname());
                add(containers, attached.container());
            }
            else if (templateId == ContainerSeenDecoder.TEMPLATE_ID)
            {
                MessageHeader.wrap(seen, buffer, offset);
                add(containers, seen.id());
                add(containers, seen.shortId());
            }
            else if (templateId == SocketOwnerDecoder.TEMPLATE_ID)
            {
                add(commands, MessageHeader.wrap(owner, buffer, offset).comm());
            }
            else if (templateId == DnsAnswerDecoder.TEMPLATE_ID && dnsNames.size() < MAX_DNS_NAMES)
            {
                add(dnsNames, MessageHeader.wrap(answer, buffer, offset).queryName());
            }
        };
        try (JournalReader reader = JournalReader.open(journal))
        {
            reader.toEnd();
            if (!reader.replayStateBefore(handler))
            {
                reader.toStart();
                final EventHandler skipDeltas = (templateId, buffer, offset, length) ->
                {
                    if (templateId != FlowDeltaDecoder.TEMPLATE_ID)
                    {
                        handler.onEvent(templateId, buffer, offset, length);
                    }
                };
                while (reader.poll(skipDeltas, 1024) > 0)
                {
                    // the whole journal, once
                }
            }
        }
        return new JournalNames(List.copyOf(interfaces), List.copyOf(containers), List.copyOf(commands), List.copyOf(dnsNames));
    }

    private static void add(final TreeSet<String> names, final String name)
    {
        if (name != null && !name.isEmpty())
        {
            names.add(name);
        }
    }
}
