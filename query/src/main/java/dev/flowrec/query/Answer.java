package dev.flowrec.query;

import java.util.List;

/**
 * What a query returns: columns and rows of values (Long, Integer or String as the column says), and its coverage.
 *
 * @param warnings one line each (without a "warning:" prefix) for the people reading the answer, e.g. a filter's name
 *                 the window never saw; the answer's rows do not depend on them
 */
public record Answer(List<Column> columns, List<Object[]> rows, Coverage coverage, Replay.Result scan,
    List<String> warnings)
{
    public Answer(final List<Column> columns, final List<Object[]> rows, final Coverage coverage, final Replay.Result scan)
    {
        this(columns, rows, coverage, scan, List.of());
    }
}
