package dev.flowrec.journal;

/**
 * A journal could not be opened, written or read; the message names the directory or event and the
 * cause in words a user can act on ("journal directory /x is not writable").
 */
public class JournalException extends RuntimeException
{
    public JournalException(final String message)
    {
        super(message);
    }

    public JournalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /** The first line of {@code ex}'s text: Chronicle's messages run to many lines, a user's error is one. */
    static String firstLine(final Throwable ex)
    {
        final String text = String.valueOf(ex);
        final int eol = text.indexOf('\n');
        return eol < 0 ? text : text.substring(0, eol);
    }
}
