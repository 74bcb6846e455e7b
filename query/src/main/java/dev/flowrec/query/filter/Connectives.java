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
        return nary(operands, Node.AND);
    }

    static FlowFilter or(final List<FlowFilter> operands)
    {
        return nary(operands, Node.OR);
    }

    static FlowFilter not(final FlowFilter operand)
    {
        return operand instanceof Not not ? not.operand : new Not(operand);
    }

    /** One operand as itself; else an and (or) whose and (or) operands are spliced into it. */
    private static FlowFilter nary(final List<FlowFilter> operands, final int precedence)
    {
        final List<FlowFilter> flat = new ArrayList<>(operands.size());
        for (final FlowFilter operand : operands)
        {
            if (operand instanceof Nary nary && Node.precedence(nary) == precedence)
            {
                flat.addAll(List.of(nary.operands));
            }
            else
            {
                flat.add(operand);
            }
        }
        return flat.size() == 1 ? flat.get(0) : new Nary(flat.toArray(new FlowFilter[0]), precedence);
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

    /**
     * An and or an or of two or more operands: the first operand whose verdict is the decisive one (false for
     * and, true for or) decides; if none does, the other verdict holds.
     */
    private static final class Nary extends Node
    {
        final FlowFilter[] operands;
        private final boolean decisive;

        Nary(final FlowFilter[] operands, final int precedence)
        {
            super(join(operands, precedence == AND ? "and" : "or", precedence), anyAggregates(operands), precedence);
            this.operands = operands;
            this.decisive = precedence == OR;
        }

        @Override
        public boolean usesNames()
        {
            for (final FlowFilter operand : operands)
            {
                if (operand.usesNames())
                {
                    return true;
                }
            }
            return false;
        }

        @Override
        FlowFilter bind(final FilterBinding binding)
        {
            final FlowFilter[] bound = new FlowFilter[operands.length];
            for (int i = 0; i < operands.length; i++)
            {
                bound[i] = binding.bind(operands[i]);
            }
            return new Nary(bound, Node.precedence(this));
        }

        @Override
        public boolean test(final FlowView flow)
        {
            for (final FlowFilter operand : operands)
            {
                if (operand.test(flow) == decisive)
                {
                    return decisive;
                }
            }
            return !decisive;
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
        FlowFilter bind(final FilterBinding binding)
        {
            return new Not(binding.bind(operand));
        }

        @Override
        public boolean usesNames()
        {
            return operand.usesNames();
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return !operand.test(flow);
        }
    }
}
