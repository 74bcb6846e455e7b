package dev.flowrec.query;

import java.util.Map;
import java.util.TreeMap;

/** How many hours of an answer came from rollups, and how many were replayed, by reason. */
public record RollupUse(int fromRollups, Map<String, Integer> replayed)
{
    public static final RollupUse NONE = new RollupUse(0, Map.of());

    public int replayedHours()
    {
        return replayed.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** "3 hours from rollups, 2 replayed (partial 2)". */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder().append(fromRollups).append(" hours from rollups, ")
            .append(replayedHours()).append(" replayed");
        if (!replayed.isEmpty())
        {
            sb.append(" (");
            replayed.forEach((reason, hours) -> sb.append(reason).append(' ').append(hours).append(", "));
            sb.setLength(sb.length() - 2);
            sb.append(')');
        }
        return sb.toString();
    }

    public RollupUse conflict(final String reason)
    {
        final Map<String, Integer> all = new TreeMap<>();
        all.put("conflict: " + reason, fromRollups + replayedHours());
        return new RollupUse(0, all);
    }
}
