package dev.flowrec.recorder.live;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The live view's flow index against a HashMap, through random adds and removals: few distinct hash values (many
 * collisions, long probe runs that wrap around the table's end), growth, and removal from the middle of a run
 * (the backward shift that replaces tombstones).
 */
class FlowIndexTest
{
    @Test
    void shouldFindWhatAHashMapFindsThroughChurn()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final FlowIndex index = new FlowIndex(4);
        final Map<Long, Flow> expected = new HashMap<>();
        final List<Long> live = new ArrayList<>();
        for (int step = 0; step < 200_000; step++)
        {
            final long key = random.nextLong(3000);
            final int hash = collidingHash(key);
            final FlowId id = id(key);
            final Flow found = index.get(id, hash);
            assertSame(expected.get(key), found, "step " + step + ", key " + key);
            if (found == null && (live.size() < 1500 || random.nextBoolean()))
            {
                final Flow flow = new Flow(id, hash, null);
                index.put(flow);
                expected.put(key, flow);
                live.add(key);
            }
            else if (found == null && !live.isEmpty())
            {
                final Long victim = live.remove(random.nextInt(live.size()));
                index.remove(expected.remove(victim));
                assertNull(index.get(id(victim), collidingHash(victim)));
            }
            assertEquals(expected.size(), index.size());
        }
        for (final Map.Entry<Long, Flow> e : expected.entrySet())
        {
            assertSame(e.getValue(), index.get(id(e.getKey()), collidingHash(e.getKey())));
        }
    }

    /** 64 distinct values, with high bits set so that a slot near the table's end is a home too. */
    private static int collidingHash(final long key)
    {
        return (int)(key % 64) * 0x9E3779B1;
    }

    private static FlowId id(final long key)
    {
        final FlowId id = new FlowId();
        id.srcLow = key;
        id.srcPort = (int)(key & 0xFFFF);
        return id;
    }
}
