package dev.flowrec.query.top;

/** Where {@code flowrec top} takes its views from: a running recorder's live view, or a journal followed live. */
public interface TopSource extends AutoCloseable
{
    /** What to say in the header: the address or the journal. */
    String describe();

    /**
     * @param where a filter in the readers' language, blank for every flow
     * @throws IllegalArgumentException with one line for people when the filter does not parse or the source fails
     */
    TopView fetch(String where);

    default void close()
    {
    }
}
