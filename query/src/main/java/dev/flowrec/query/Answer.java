package dev.flowrec.query;

import java.util.List;

/** What a query returns: columns and rows of values (Long, Integer or String as the column says), and its coverage. */
public record Answer(List<Column> columns, List<Object[]> rows, Coverage coverage, Replay.Result scan)
{
}
