package dev.flowrec.query.filter;

/** The comparison operators of port, bytes and packets terms; {@code =} is the default and {@code ==} a synonym. */
enum Comparison
{
    EQ("="), NE("!="), LT("<"), GT(">"), LE("<="), GE(">=");

    final String symbol;

    Comparison(final String symbol)
    {
        this.symbol = symbol;
    }

    static Comparison of(final String text)
    {
        return switch (text)
        {
            case "=", "==" -> EQ;
            case "!=" -> NE;
            case "<" -> LT;
            case ">" -> GT;
            case "<=" -> LE;
            case ">=" -> GE;
            default -> null;
        };
    }

    boolean test(final long value, final long operand)
    {
        return switch (this)
        {
            case EQ -> value == operand;
            case NE -> value != operand;
            case LT -> value < operand;
            case GT -> value > operand;
            case LE -> value <= operand;
            case GE -> value >= operand;
        };
    }
}
