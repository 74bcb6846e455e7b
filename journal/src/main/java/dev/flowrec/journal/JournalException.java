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
}
