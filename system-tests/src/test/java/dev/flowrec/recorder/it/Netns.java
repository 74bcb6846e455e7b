package dev.flowrec.recorder.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pair of network namespaces NAME-a and NAME-b joined by the veth NAME-va (in a) and NAME-vb (in b),
 * made by scripts/it/netns-pair: private addresses only, and only inside the pair.
 */
record Netns(Path script, String name, String a4, String b4, String a6, String b6)
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static Netns up(final Path itScripts, final String name, final boolean offloads)
    {
        final Path script = itScripts.resolve("netns-pair");
        final Proc.Result r = Proc.ok(TIMEOUT, script.toString(), "up", name, "--offloads", offloads ? "on" : "off");
        final Map<String, String> v = new HashMap<>();
        for (final String kv : r.out().trim().split("\\s+"))
        {
            final int eq = kv.indexOf('=');
            if (eq > 0)
            {
                v.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        if (!v.keySet().containsAll(List.of("a4", "b4", "a6", "b6")))
        {
            throw new AssertionError("netns-pair up printed no addresses: " + r.out());
        }
        return new Netns(script, name, v.get("a4"), v.get("b4"), v.get("a6"), v.get("b6"));
    }

    /** Idempotent: a pair half made, or already gone, is fine. */
    static void down(final Path itScripts, final String name)
    {
        Proc.run(TIMEOUT, List.of(itScripts.resolve("netns-pair").toString(), "down", name));
    }

    String a()
    {
        return name + "-a";
    }

    String b()
    {
        return name + "-b";
    }

    String va()
    {
        return name + "-va";
    }

    String vb()
    {
        return name + "-vb";
    }

    /** The command run inside namespace a (or b). */
    List<String> inA(final String... command)
    {
        return in(a(), command);
    }

    List<String> inB(final String... command)
    {
        return in(b(), command);
    }

    /** True for the addresses of side a: what a sends leaves NAME-va on egress ("out"). */
    boolean isA(final String addr)
    {
        return addr.equals(a4) || addr.equals(a6);
    }

    private static List<String> in(final String ns, final String... command)
    {
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return cmd;
    }
}
