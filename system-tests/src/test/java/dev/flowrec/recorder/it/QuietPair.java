package dev.flowrec.recorder.it;

import dev.flowrec.bpf.NetnsFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pair of quiet network namespaces NAME-a and NAME-b joined by the veth NAME-va (in a) and NAME-vb (in b): no
 * router solicitation, DAD or late MLD, so a capture sees only the traffic a test sends. Built by
 * scripts/it/netns-pair (which scripts/it/traffic and scripts/bench/capture use too) on top of a
 * {@link NetnsFixture}: NAME is the fixture's id, and the fixture's close takes the pair down. Private addresses
 * only, and only inside the pair.
 */
record QuietPair(String name, String a4, String b4, String a6, String b6)
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static QuietPair up(final NetnsFixture fixture, final Path itScripts, final boolean offloads)
    {
        final String script = itScripts.resolve("netns-pair").toString();
        final String name = fixture.id();
        fixture.onClose(() -> Proc.run(TIMEOUT, List.of(script, "down", name))); // idempotent, also after a failed up
        final Proc.Result r = Proc.ok(TIMEOUT, script, "up", name, "--offloads", offloads ? "on" : "off");
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
        return new QuietPair(name, v.get("a4"), v.get("b4"), v.get("a6"), v.get("b6"));
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
        return NetnsFixture.in(a(), command);
    }

    List<String> inB(final String... command)
    {
        return NetnsFixture.in(b(), command);
    }

    /** True for the addresses of side a: what a sends leaves NAME-va on egress ("out"). */
    boolean isA(final String addr)
    {
        return addr.equals(a4) || addr.equals(a6);
    }
}
