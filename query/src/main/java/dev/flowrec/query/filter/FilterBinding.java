package dev.flowrec.query.filter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves the names a compiled filter mentions against what a window saw ({@link KnownNames}): {@code container X}
 * matches the flows of every container whose label, full id or name is X, else of the one container whose id starts
 * with X (4 or more lower-case hex digits; more than one is an {@link AmbiguousNameException}); an {@code iface} or
 * {@code container} that names nothing the window saw matches nothing, as before, and is said in a warning with the
 * closest names it did see; so is a {@code comm} that no socket owner of the window had. The bound filter has the same
 * canonical form.
 */
public final class FilterBinding
{
    /** A filter bound to a window's names, and one warning per name the window never saw. */
    public record Bound(FlowFilter filter, List<String> warnings)
    {
    }

    private static final int CLOSEST = 3;
    /** Names longer than this are compared by their first characters only. */
    private static final int MAX_COMPARED = 64;

    private final KnownNames names;
    private final String scope;
    private final Set<String> warnings = new LinkedHashSet<>();

    private FilterBinding(final KnownNames names, final String scope)
    {
        this.names = names;
        this.scope = scope;
    }

    /**
     * @param scope what saw the names, for messages: "the window", "this recorder run"
     * @throws AmbiguousNameException when a container prefix begins the ids of two containers or more
     */
    public static Bound bind(final FlowFilter filter, final KnownNames names, final String scope)
    {
        final FilterBinding binding = new FilterBinding(names, scope);
        final FlowFilter bound = binding.bind(filter);
        return new Bound(bound, List.copyOf(binding.warnings));
    }

    /**
     * The labels of the containers {@code text} names, as the term {@code container text} resolves it (for a live
     * view's {@code ?container=}); a warning is added to {@code warnings} when it names none.
     *
     * @throws AmbiguousNameException when it is a prefix of the ids of two containers or more
     */
    public static Set<String> containerLabels(final String text, final KnownNames names, final String scope,
        final List<String> warnings)
    {
        final FilterBinding binding = new FilterBinding(names, scope);
        final Set<String> labels = binding.resolveContainer(text);
        warnings.addAll(binding.warnings);
        return labels;
    }

    /** The warning for an interface name the names do not hold (as {@code iface name} would get), else none. */
    public static List<String> interfaceWarnings(final String name, final KnownNames names, final String scope)
    {
        final FilterBinding binding = new FilterBinding(names, scope);
        binding.checkInterface(name);
        return List.copyOf(binding.warnings);
    }

    FlowFilter bind(final FlowFilter filter)
    {
        return filter instanceof Node node ? node.bind(this) : filter;
    }

    void checkInterface(final String name)
    {
        if (!names.interfaces().contains(name) && !isUnnamedIfindex(name))
        {
            warnings.add("no interface " + Printable.quote(name) + " in " + scope + closest(name, names.interfaces(),
                "interfaces"));
        }
    }

    /** A warning for a command name no socket owner of the window had, with the closest ones it had. */
    void checkCommand(final String name)
    {
        if (!names.commands().contains(name))
        {
            warnings.add("no command " + Printable.quote(name) + " in " + scope + closest(name, names.commands(),
                "socket owners"));
        }
    }

    /** @return the labels of the containers {@code text} names; empty, with a warning, when it names none */
    Set<String> resolveContainer(final String text)
    {
        final Set<String> labels = new TreeSet<>();
        for (final KnownNames.Container c : names.containers())
        {
            if (c.label().equals(text) || c.id().equals(text) || c.name().equals(text))
            {
                labels.add(c.label());
                labels.add(c.id()); // an interface journaled under the full id
            }
        }
        if (labels.isEmpty() && Terms.isIdPrefix(text))
        {
            final TreeMap<String, KnownNames.Container> byId = new TreeMap<>();
            for (final KnownNames.Container c : names.containers())
            {
                if (c.id().startsWith(text) || c.label().startsWith(text))
                {
                    byId.merge(c.id(), c, (had, seen) -> had.name().isEmpty() ? seen : had);
                    labels.add(c.label());
                    labels.add(c.id());
                }
            }
            if (byId.size() > 1)
            {
                final List<String> candidates = new ArrayList<>();
                byId.values().forEach(c -> candidates.add(describe(c)));
                throw new AmbiguousNameException("container " + Printable.quote(text) + " is ambiguous in " + scope +
                    ": it begins the ids of " + String.join(", ", candidates) + " (give more of the id)");
            }
        }
        if (labels.isEmpty())
        {
            final Set<String> known = new TreeSet<>();
            for (final KnownNames.Container c : names.containers())
            {
                known.add(c.label());
                if (!c.name().isEmpty())
                {
                    known.add(c.name());
                }
            }
            warnings.add("no container " + Printable.quote(text) + " in " + scope + closest(text, known, "containers"));
        }
        return Set.copyOf(labels);
    }

    private static String describe(final KnownNames.Container c)
    {
        final String shown = Printable.quote(c.label());
        return c.name().isEmpty() || c.name().equals(c.label()) ? shown : shown + " (" + Printable.quote(c.name()) + ")";
    }

    /** ", closest: a, b, c" by edit distance, or why there is nothing to suggest. */
    private static String closest(final String text, final Set<String> known, final String what)
    {
        if (known.isEmpty())
        {
            return " (it saw no " + what + ")";
        }
        final List<String> sorted = new ArrayList<>(known);
        sorted.sort(Comparator.comparingInt((String k) -> distance(text, k)).thenComparing(Comparator.naturalOrder()));
        final List<String> shown = new ArrayList<>();
        for (final String k : sorted.subList(0, Math.min(CLOSEST, sorted.size())))
        {
            shown.add(Printable.quote(k));
        }
        return " (closest: " + String.join(", ", shown) + ")";
    }

    /** Edit distance with a swap of two neighbours as one edit (optimal string alignment): "wbe" is 1 from "web". */
    static int distance(final String text, final String known)
    {
        final String a = text.length() > MAX_COMPARED ? text.substring(0, MAX_COMPARED) : text;
        final String b = known.length() > MAX_COMPARED ? known.substring(0, MAX_COMPARED) : known;
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
        {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++)
        {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Replay names an interface never attached in the journal "if" and its number. */
    private static boolean isUnnamedIfindex(final String name)
    {
        if (name.length() < 3 || !name.startsWith("if"))
        {
            return false;
        }
        for (int i = 2; i < name.length(); i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }
}
