package dev.flowrec.query;

/** A query stopped because its cancel flag was set (Ctrl-C): there is no answer, not even part of one. */
public final class QueryCancelledException extends RuntimeException
{
    public QueryCancelledException()
    {
        super("cancelled", null, false, false);
    }
}
