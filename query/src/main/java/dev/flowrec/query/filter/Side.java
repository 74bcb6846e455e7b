package dev.flowrec.query.filter;

/** Which end of a flow an address or port term looks at; EITHER matches if one of them does. */
enum Side
{
    EITHER(""), SRC("src "), DST("dst ");

    final String prefix;

    Side(final String prefix)
    {
        this.prefix = prefix;
    }
}
