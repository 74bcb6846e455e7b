package dev.flowrec.journal.text;

/** Byte sizes as people type them: {@code 512}, {@code 64k}, {@code 20G}; k, M, G, T are powers of 1024. */
public final class Sizes
{
    private Sizes()
    {
    }

    public static long parseBytes(final String text)
    {
        final String s = text.trim();
        if (s.isEmpty())
        {
            throw new IllegalArgumentException("bad size '': expected a number with an optional k, M, G or T");
        }
        final char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        final int shift = switch (unit)
        {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        final String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        final double value;
        try
        {
            value = Double.parseDouble(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad size '" + text + "': expected a number with an optional k, M, G or T");
        }
        if (value < 0 || value * (1L << shift) > Long.MAX_VALUE)
        {
            throw new IllegalArgumentException("bad size '" + text + "': out of range");
        }
        return (long)(value * (1L << shift));
    }
}
