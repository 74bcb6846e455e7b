package dev.flowrec.query.filter;

/**
 * A filter's container prefix that begins the ids of more than one container the window saw, e.g.
 * {@code container 3f2a is ambiguous in the window: 3f2a1b2c3d4e, 3f2a9f00aa11}. A filter error, as a syntax error is.
 */
public final class AmbiguousNameException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    public AmbiguousNameException(final String message)
    {
        super(message);
    }
}
