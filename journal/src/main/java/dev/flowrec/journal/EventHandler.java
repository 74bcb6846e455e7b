package dev.flowrec.journal;

import org.agrona.DirectBuffer;

/**
 * Receives one journal event from {@link JournalReader#poll(EventHandler, int)}.
 * <p>
 * {@code buffer} is valid only during the call (it may point straight into the memory-mapped
 * journal file): decode what is needed, never keep the buffer. The event occupies
 * {@code [offset, offset + length)}, header included, and has already passed
 * {@link dev.flowrec.journal.schema.MessageHeader#check}: known schema id, version this reader supports.
 */
@FunctionalInterface
public interface EventHandler
{
    void onEvent(int templateId, DirectBuffer buffer, int offset, int length);
}
