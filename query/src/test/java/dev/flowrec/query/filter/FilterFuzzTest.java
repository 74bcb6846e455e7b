package dev.flowrec.query.filter;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static dev.flowrec.query.filter.TestFlow.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever the text, parse either returns a filter whose canonical form re-parses to an equal filter that
 * decides alike, or throws a FilterSyntaxException with a one-line message and a column inside the text (or
 * just past it); nothing else escapes. Four generators, 30,000 tries each: random strings, token soups from the
 * real vocabulary, mutations of valid filters, and random valid expression trees.
 */
class FilterFuzzTest
{
    private static final int TRIES = 30_000;

    private static final List<String> VOCABULARY = List.of("and", "or", "not", "!", "&&", "||", "(", ")", "(", ")", "src", "dst",
        "ip", "host", "net", "mask", "port", "portrange", "proto", "tcp", "udp", "icmp", "icmpv6", "iface", "container",
        "direction", "in", "out", "flags", "bytes", "packets", "family", "inet", "inet6", "any", "=", "==", "!=", "<", ">", "<=",
        ">=", "&", "|", "0", "4", "6", "53", "80", "443", "65535", "65536", "1024-65535", "80-20", "256", "1k", "1.5M", "2G", "3T",
        "99999999999999999999", "10.0.0.1", "10.0.0.0/8", "255.255.0.0", "255.0.255.0", "::", "::1", "2001:db8::/32",
        "::ffff:10.0.0.1", "fe80::1%eth0", "1.2.3.4/33", "eth0", "web", "3f2a", "S", "SA", "UAPRSFEC", "X", "http", "TCP", "ANY",
        "-1", "\t", "\u0000", "é", "\uD83D\uDE00", "\uDC00", "\u2028", "İP", "ıp", "\u00A0", "prot", "0x10");

    private static final List<String> VALID = List.of("proto tcp and dst port 443 and not src net 10.0.0.0/8", "bytes > 1M",
        "container web", "iface eth0", "flags S", "ip 2001:db8::1", "tcp port 80 or udp port 53", "(tcp or udp) and not port 22",
        "src host 10.0.0.1 and dst portrange 1024-65535", "net 10.0.0.0 mask 255.0.0.0", "packets >= 1.5k and direction in",
        "inet6 and not icmpv6", "family 4 && (port != 80 || port > 1023)", "!(ip ::ffff:10.0.0.1)", "container 3f2a9c any");

    private static final TestFlow[] FLOWS = {
        flow().build(),
        flow().proto(17).src("2001:db8::53", 53).dst("2001:db8:1::1", 33000).direction(0).iface("web").container("3f2a9c")
            .tcpFlags(0).packets(2).bytes(200).build(),
        flow().src("10.0.0.1", 22).dst("10.0.0.2", 80).tcpFlags(0xFF).packets(2_000_000).bytes(1_500_000_000L).build()};

    private static final AtomicLong ACCEPTED = new AtomicLong();
    private static final AtomicLong REJECTED = new AtomicLong();
    private static final AtomicLong CHARS = new AtomicLong();
    private static final long STARTED_NS = System.nanoTime();

    @Property(tries = TRIES)
    void randomStringsParseOrFailCleanly(@ForAll("strings") final String text)
    {
        check(text);
    }

    @Property(tries = TRIES)
    void tokenSoupsParseOrFailCleanly(@ForAll("soups") final String text)
    {
        check(text);
    }

    @Property(tries = TRIES)
    void mutatedFiltersParseOrFailCleanly(@ForAll final long seed)
    {
        check(mutate(new Random(seed)));
    }

    @Property(tries = TRIES)
    void generatedFiltersParse(@ForAll final long seed)
    {
        final String text = expression(new Random(seed), 0);
        final boolean accepted = check(text);
        assertTrue(accepted, text);
    }

    @Provide
    Arbitrary<String> strings()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.strings().all().ofMaxLength(80)),
            Tuple.of(5, Arbitraries.strings().withChars("()!=<>&| .:/-0123456789abcdefkKMGSAFRPUxyz\t\n").ofMaxLength(60)),
            Tuple.of(2, Arbitraries.strings().withChars("()").ofMinLength(60).ofMaxLength(200)),
            Tuple.of(2, Arbitraries.strings().withChars("!( ").ofMaxLength(300).map(s -> s + "tcp")),
            Tuple.of(1, Arbitraries.strings().ascii().ofMinLength(4000).ofMaxLength(4200)));
    }

    @Provide
    Arbitrary<String> soups()
    {
        return Arbitraries.of(VOCABULARY).list().ofMaxSize(25)
            .flatMap(words -> Arbitraries.of(" ", "", "  ").map(separator -> String.join(separator, words)));
    }

    private static String mutate(final Random random)
    {
        final StringBuilder text = new StringBuilder(VALID.get(random.nextInt(VALID.size())));
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++)
        {
            final int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(6))
            {
                case 0 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(6)));
                case 1 -> text.insert(at, " " + VOCABULARY.get(random.nextInt(VOCABULARY.size())) + " ");
                case 2 -> text.insert(at, VOCABULARY.get(random.nextInt(VOCABULARY.size())));
                case 3 -> text.insert(at, (char)random.nextInt(0x3000));
                case 4 ->
                {
                    if (at < text.length())
                    {
                        text.setCharAt(at, "()!=<> :./-0123456789aSF".charAt(random.nextInt(24)));
                    }
                }
                default -> text.append(' ').append(VALID.get(random.nextInt(VALID.size())));
            }
        }
        return text.toString();
    }

    private static final String[] TERMS = {"ip 10.0.0.1", "src host 192.0.2.1", "dst ip 2001:DB8::1", "ip ::ffff:1.2.3.4",
        "net 10.0.0.0/8", "src net 172.16.0.0/12", "net fe80::/10", "net 10.1.0.0 mask 255.255.0.0", "port 80", "src port != 22",
        "dst port >= 1024", "port<1024", "portrange 1024-65535", "proto tcp", "tcp", "udp", "icmp", "proto 47", "iface eth0",
        "container web", "container 3f2a", "direction in", "direction out", "flags S", "flags SA", "bytes > 1M", "packets <= 10k",
        "family 6", "inet", "inet6", "any"};

    private static String expression(final Random random, final int depth)
    {
        final int choice = depth > 6 ? 0 : random.nextInt(6);
        return switch (choice)
        {
            case 0, 1 -> TERMS[random.nextInt(TERMS.length)];
            case 2 -> (random.nextBoolean() ? "not " : "!") + expression(random, depth + 1);
            case 3 -> "(" + expression(random, depth + 1) + ")";
            case 4 -> expression(random, depth + 1) + (random.nextBoolean() ? " or " : " || ") + expression(random, depth + 1);
            default -> expression(random, depth + 1) + List.of(" and ", " && ", " ").get(random.nextInt(3)) + expression(random, depth + 1);
        };
    }

    /** @return whether the text was accepted */
    private static boolean check(final String text)
    {
        CHARS.addAndGet(text.length());
        assertLexes(text);
        final FlowFilter filter;
        try
        {
            filter = FilterParser.parse(text);
        }
        catch (final FilterSyntaxException ex)
        {
            REJECTED.incrementAndGet();
            final String message = ex.getMessage();
            assertFalse(ex.detail().isBlank(), text);
            assertTrue(message.startsWith("bad filter at column " + ex.column() + ": "), message);
            assertFalse(message.contains("\n") || message.contains("\r") || message.contains("\u2028") ||
                message.contains("\u2029") || message.contains("\u0085"), message);
            assertTrue(ex.column() >= 1 && ex.column() <= text.length() + 1, ex.column() + " in " + text.length() + ": " + message);
            assertEquals(2, ex.pointer(text).split("\n", -1).length, message);
            return false;
        }
        ACCEPTED.incrementAndGet();
        final String canonical = filter.toString();
        final FlowFilter again = FilterParser.parse(canonical);
        assertEquals(canonical, again.toString(), text);
        assertEquals(filter, again, text);
        assertEquals(filter.usesAggregates(), again.usesAggregates(), text);
        for (final TestFlow flow : FLOWS)
        {
            assertEquals(filter.test(flow), again.test(flow), text);
        }
        return true;
    }

    private static void assertLexes(final String text)
    {
        int previousEnd = 0;
        for (final Token token : FilterLexer.tokens(text))
        {
            assertTrue(token.start() >= previousEnd && token.end() > token.start(), text);
            assertEquals(text.substring(token.start(), token.end()), token.text());
            previousEnd = token.end();
        }
    }

    @AfterContainer
    static void report()
    {
        System.out.printf("filter fuzz: %d inputs (%d accepted, %d rejected), %d chars, %.1f s%n",
            ACCEPTED.get() + REJECTED.get(), ACCEPTED.get(), REJECTED.get(), CHARS.get(), (System.nanoTime() - STARTED_NS) / 1e9);
    }
}
