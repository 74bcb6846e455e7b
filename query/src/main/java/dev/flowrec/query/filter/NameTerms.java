package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

/**
 * {@code [src|dst] name NAME}: the name the host's resolver was given for an address of the flow (src_name, dst_name).
 * NAME is exact (case-insensitive, as DNS is; a final dot is ignored), or {@code *.SUFFIX}: any name under SUFFIX,
 * not SUFFIX itself, as a wildcard record matches.
 */
final class NameTerms
{
    private NameTerms()
    {
    }

    /** Parses the NAME after {@code spelled} ("name", "src name", "dst name"). */
    static FlowFilter parse(final TokenCursor cursor, final Side side, final String spelled)
    {
        return new Name(side, WordTermParser.name(cursor, "a DNS name (exact, or *.example.org)", spelled));
    }

    private static final class Name extends Node
    {
        private final Side side;
        private final String exact;
        private final String suffix;

        Name(final Side side, final String text)
        {
            super(side.prefix + "name " + canonical(text), false, TERM);
            this.side = side;
            final String name = canonical(text);
            if (name.startsWith("*."))
            {
                this.exact = null;
                this.suffix = name.substring(1);
            }
            else
            {
                this.exact = name;
                this.suffix = null;
            }
        }

        private static String canonical(final String text)
        {
            final String lower = FilterLexer.asciiLower(text);
            return lower.length() > 1 && lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        }

        @Override
        public boolean usesNames()
        {
            return true;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return switch (side)
            {
                case SRC -> matches(flow.srcName());
                case DST -> matches(flow.dstName());
                case EITHER -> matches(flow.srcName()) || matches(flow.dstName());
            };
        }

        private boolean matches(final String name)
        {
            if (exact != null)
            {
                return exact.equals(name);
            }
            return name.length() > suffix.length() && name.endsWith(suffix);
        }
    }
}
