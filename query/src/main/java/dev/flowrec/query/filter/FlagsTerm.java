package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

/**
 * {@code flags LETTERS}: a TCP flow that has seen every listed flag (nfdump). Letters, any case:
 * C (CWR 0x80), E (ECE 0x40), U (URG 0x20), A (ACK 0x10), P (PSH 0x08), R (RST 0x04), S (SYN 0x02), F (FIN 0x01).
 * An aggregate term: the flags are the OR over the flow's deltas in the window.
 */
final class FlagsTerm extends Node
{
    /** Letter i stands for bit 1 << (7 - i); also the canonical order. */
    static final String LETTERS = "CEUAPRSF";
    private static final int TCP = 6;

    private final int mask;

    FlagsTerm(final int mask)
    {
        super("flags " + letters(mask), true, TERM);
        this.mask = mask;
    }

    /** @return the bit of a flag letter (any case), or 0 if the letter is none */
    static int bit(final char letter)
    {
        final char upper = letter >= 'a' && letter <= 'z' ? (char)(letter - ('a' - 'A')) : letter;
        final int i = LETTERS.indexOf(upper);
        return i < 0 ? 0 : 1 << (LETTERS.length() - 1 - i);
    }

    private static String letters(final int mask)
    {
        final StringBuilder sb = new StringBuilder(LETTERS.length());
        for (int i = 0; i < LETTERS.length(); i++)
        {
            if ((mask & (1 << (LETTERS.length() - 1 - i))) != 0)
            {
                sb.append(LETTERS.charAt(i));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean test(final FlowView flow)
    {
        return flow.proto() == TCP && (flow.tcpFlags() & mask) == mask;
    }
}
