package dev.flowrec.export;

import java.util.ArrayList;
import java.util.List;

/** A level of a hive-partitioned export: {@code host=H/date=2026-11-26/hour=13}, taken from a row's host and its last_seen (UTC). */
public enum PartitionKey
{
    host, date, hour;

    /** Parses "host,date,hour" (any subset, in the order given); throws IllegalArgumentException naming the bad key. */
    public static List<PartitionKey> parseList(final String text)
    {
        final List<PartitionKey> keys = new ArrayList<>();
        for (final String part : text.split(","))
        {
            final String name = part.trim();
            try
            {
                final PartitionKey key = valueOf(name);
                if (keys.contains(key))
                {
                    throw new IllegalArgumentException("partition key '" + name + "' given twice");
                }
                keys.add(key);
            }
            catch (final IllegalArgumentException ex)
            {
                if (ex.getMessage().startsWith("partition key"))
                {
                    throw ex;
                }
                throw new IllegalArgumentException("unknown partition key '" + name + "': use host, date, hour");
            }
        }
        return keys;
    }
}
