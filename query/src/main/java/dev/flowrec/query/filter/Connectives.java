package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

import java.util.ArrayList;
import java.util.List;

/** and, or, not and the filter that accepts every flow. And/or are n-ary and flat; a double negation cancels. */
final class Connectives
{
    static final FlowFilter ALL = new All();

    private Connectives()
    {
    }

    static FlowFilter and(final List<FlowFilter> operands)
    {
        final FlowFilter[] flat = flatten(operands, And.class);
        return flat.length == 1 ? flat[0] : new And(flat);
    }

    static FlowFilter or(final List<FlowFilter> operands)
    {
        final FlowFilter[] flat = flatten(operands, Or.class);
        return flat.length == 1 ? flat[0] : new Or(flat);
    }

    static FlowFilter not(final FlowFilter operand)
    {
        return operand instanceof Not not ? not.operand : new Not(operand);
    }

    private static FlowFilter[] flatten(final List<FlowFilter> operands, final Class<? extends Nary> kind)
    {
        final List<FlowFilter> flat = new ArrayList<>(operands.size());
        for (final FlowFilter operand : operands)
        {
            if (kind.isInstance(operand))
            {
                flat.addAll(List.of(((Nary)operand).operands));
            }
            else
            {
                flat.add(operand);
            }
        }
        return flat.toArray(new FlowFilter[0]);
    }

    private static String join(final FlowFilter[] operands, final String word, final int precedence)
    {
        final StringBuilder sb = new StringBuilder();
        for (final FlowFilter operand : operands)
        {
            if (!sb.isEmpty())
            {
                sb.append(' ').append(word).append(' ');
            }
            sb.append(Node.operand(operand, precedence + 1));
        }
        return sb.toString();
    }

    private static boolean anyAggregates(final FlowFilter[] operands)
    {
        for (final FlowFilter operand : operands)
        {
            if (operand.usesAggregates())
            {
                return true;
            }
        }
        return false;
    }

    private static final class All extends Node
    {
        All()
        {
            super("any", false, TERM);
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return true;
        }
    }

    private abstract static class Nary extends Node
    {
        final FlowFilter[] operands;

        Nary(final FlowFilter[] operands, final String word, final int precedence)
        {
            super(join(operands, word, precedence), anyAggregates(operands), precedence);
            this.operands = operands;
        }
    }

    private static final class And extends Nary
    {
        And(final FlowFilter[] operands)
        {
            super(operands, "and", AND);
        }

        @Override
        public boolean test(final FlowView flow)
        {
            for (final FlowFilter operand : operands)
            {
                if (!operand.test(flow))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class Or extends Nary
    {
        Or(final FlowFilter[] operands)
        {
            super(operands, "or", OR);
        }

        @Override
        public boolean test(final FlowView flow)
        {
            for (final FlowFilter operand : operands)
            {
                if (operand.test(flow))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class Not extends Node
    {
        final FlowFilter operand;

        Not(final FlowFilter operand)
        {
            super("not " + Node.operand(operand, NOT), operand.usesAggregates(), NOT);
            this.operand = operand;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return !operand.test(flow);
        }
    }
}
