package dev.flowrec.bpf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java mirrors of flowrec.h agree with what the C compiler makes of it: the names come from the header
 * (struct members, enum members, FR_DIR_ macros), the values from gcc (offsetof, sizeof, enum values), and
 * each is compared with the Java constant its name maps to, by rule, never by a table kept here:
 * <ul>
 * <li>{@code struct fr_flow_event} member {@code m} (those of its {@code key} included) →
 * {@code FlowEventDecoder.M_OFFSET}, and {@code M_LENGTH} where Java declares one; members named {@code pad} are
 * padding; {@code sizeof} → {@code FlowEventDecoder.LENGTH};</li>
 * <li>the same for {@code struct fr_owner_event} → {@code OwnerEventDecoder};</li>
 * <li>{@code FR_DIR_X} → {@code FlowEventDecoder.DIRECTION_X}; {@code FR_SIDE_X} → {@code OwnerEventDecoder.SIDE_X};</li>
 * <li>{@code FR_REASON_X} → {@code Reasons.X}, named "x";</li>
 * <li>{@code FR_C_X} → {@code KernelCounters.X}, named "x".</li>
 * </ul>
 * And the other way: every int constant of those mirrors is one that the header has.
 */
class KernelMirrorTest
{
    private static final Path HEADER = Path.of("src/main/c/flowrec.h");

    @TempDir
    Path tmp;

    @Test
    void shouldMirrorEveryOffsetSizeAndValueOfTheHeader() throws Exception
    {
        final String header = Files.readString(HEADER);
        final Map<String, String> expressions = new TreeMap<>(); // Java constant -> C expression
        final Map<String, String> names = new TreeMap<>();       // C enum member -> Java constant that names it

        expressions.put("FlowEventDecoder.LENGTH", "sizeof(struct fr_flow_event)");
        for (final String member : members(header, "fr_flow_event", ""))
        {
            final String leaf = member.substring(member.lastIndexOf('.') + 1);
            final String name = "FlowEventDecoder." + leaf.toUpperCase(Locale.ROOT);
            expressions.put(name + "_OFFSET", "offsetof(struct fr_flow_event, " + member + ")");
            if (hasConstant(name + "_LENGTH"))
            {
                expressions.put(name + "_LENGTH", "sizeof(((struct fr_flow_event *)0)->" + member + ")");
            }
        }
        expressions.put("OwnerEventDecoder.LENGTH", "sizeof(struct fr_owner_event)");
        for (final String member : members(header, "fr_owner_event", ""))
        {
            final String leaf = member.substring(member.lastIndexOf('.') + 1);
            final String name = "OwnerEventDecoder." + leaf.toUpperCase(Locale.ROOT);
            expressions.put(name + "_OFFSET", "offsetof(struct fr_owner_event, " + member + ")");
            if (hasConstant(name + "_LENGTH"))
            {
                expressions.put(name + "_LENGTH", "sizeof(((struct fr_owner_event *)0)->" + member + ")");
            }
        }
        expressions.put("DnsEventDecoder.LENGTH", "sizeof(struct fr_dns_event)");
        expressions.put("DnsEventDecoder.PAYLOAD_CAPACITY", "FR_DNS_CAPTURE");
        for (final String member : members(header, "fr_dns_event", ""))
        {
            final String leaf = member.substring(member.lastIndexOf('.') + 1);
            final String name = "DnsEventDecoder." + leaf.toUpperCase(Locale.ROOT);
            expressions.put(name + "_OFFSET", "offsetof(struct fr_dns_event, " + member + ")");
            if (hasConstant(name + "_LENGTH"))
            {
                expressions.put(name + "_LENGTH", "sizeof(((struct fr_dns_event *)0)->" + member + ")");
            }
        }
        for (final String macro : matches(header, "#define\\s+(FR_SIDE_\\w+)\\s"))
        {
            expressions.put("OwnerEventDecoder.SIDE_" + macro.substring("FR_SIDE_".length()), macro);
        }
        for (final String macro : matches(header, "#define\\s+(FR_DIR_\\w+)\\s"))
        {
            expressions.put("FlowEventDecoder.DIRECTION_" + macro.substring("FR_DIR_".length()), macro);
        }
        for (final String member : enumMembers(header, "fr_reason"))
        {
            final String constant = "Reasons." + member.substring("FR_REASON_".length());
            expressions.put(constant, member);
            names.put(constant, "Reasons");
        }
        for (final String member : enumMembers(header, "fr_counter"))
        {
            final String constant = "KernelCounters." + member.substring("FR_C_".length());
            expressions.put(constant, member);
            if (!constant.endsWith(".COUNT"))
            {
                names.put(constant, "KernelCounters");
            }
        }

        expressions.put("PinnedMeta.LAYOUT_VERSION", "FR_LAYOUT_VERSION");
        expressions.put("PinnedMeta.LENGTH", "sizeof(struct fr_meta)");

        final Map<String, Long> compiled = compile(expressions);
        for (final Map.Entry<String, String> e : expressions.entrySet())
        {
            assertEquals(compiled.get(e.getKey()), (Long)(long)constant(e.getKey()),
                e.getKey() + " mirrors " + e.getValue() + " of flowrec.h");
        }
        for (final Map.Entry<String, String> e : names.entrySet())
        {
            final String lowerSnake = e.getKey().substring(e.getKey().indexOf('.') + 1).toLowerCase(Locale.ROOT);
            final int value = constant(e.getKey());
            final String name = e.getValue().equals("Reasons") ? Reasons.name(value) : KernelCounters.name(value);
            assertEquals(lowerSnake, name, e.getKey() + "'s name");
        }
        for (final Class<?> mirror : new Class<?>[] {FlowEventDecoder.class, OwnerEventDecoder.class, Reasons.class, KernelCounters.class})
        {
            for (final Field field : mirror.getDeclaredFields())
            {
                final int m = field.getModifiers();
                if (Modifier.isPublic(m) && Modifier.isStatic(m) && field.getType() == int.class)
                {
                    final String constant = mirror.getSimpleName() + "." + field.getName();
                    assertTrue(expressions.containsKey(constant), constant + " mirrors nothing in flowrec.h");
                }
            }
        }
    }

    /** Member paths of a struct in declaration order, nested structs flattened ("key.src"), padding left out. */
    private static List<String> members(final String header, final String struct, final String prefix)
    {
        final Matcher body = Pattern.compile("struct\\s+" + struct + "\\s*\\{(.*?)\\};", Pattern.DOTALL)
            .matcher(header);
        if (!body.find())
        {
            throw new IllegalStateException("flowrec.h has no struct " + struct);
        }
        final List<String> members = new ArrayList<>();
        final Matcher member = Pattern.compile("(?m)^\\s*(struct\\s+(\\w+)|\\w+)\\s+(\\w+)(\\[\\w+\\])?\\s*;")
            .matcher(stripComments(body.group(1)));
        while (member.find())
        {
            final String name = member.group(3);
            if (member.group(2) != null)
            {
                members.addAll(members(header, member.group(2), prefix + name + "."));
            }
            else if (!name.equals("pad"))
            {
                members.add(prefix + name);
            }
        }
        return members;
    }

    private static List<String> enumMembers(final String header, final String name)
    {
        final Matcher body = Pattern.compile("enum\\s+" + name + "\\s*\\{(.*?)\\};", Pattern.DOTALL).matcher(header);
        if (!body.find())
        {
            throw new IllegalStateException("flowrec.h has no enum " + name);
        }
        return matches(stripComments(body.group(1)), "(FR_\\w+)\\s*(?:=[^,]*)?,?");
    }

    private static List<String> matches(final String text, final String regex)
    {
        final List<String> found = new ArrayList<>();
        final Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find())
        {
            found.add(m.group(1));
        }
        return found;
    }

    private static String stripComments(final String c)
    {
        return c.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    /** Compiles and runs a C program that prints each expression's value, as gcc lays flowrec.h out on x86_64. */
    private Map<String, Long> compile(final Map<String, String> expressions) throws IOException, InterruptedException
    {
        final StringBuilder c = new StringBuilder()
            .append("#include <stddef.h>\n#include <stdio.h>\n#include \"flowrec.h\"\nint main(void)\n{\n");
        expressions.forEach((name, expression) ->
            c.append("    printf(\"%s %lld\\n\", \"").append(name).append("\", (long long)(").append(expression)
                .append("));\n"));
        c.append("    return 0;\n}\n");
        final Path source = tmp.resolve("mirror.c");
        final Path binary = tmp.resolve("mirror");
        Files.writeString(source, c);
        run("gcc", "-Wall", "-Werror", "-I/usr/include/x86_64-linux-gnu", "-I" + HEADER.toAbsolutePath().getParent(),
            "-o", binary.toString(), source.toString());
        final Map<String, Long> values = new TreeMap<>();
        for (final String line : run(binary.toString()).split("\n"))
        {
            final String[] parts = line.split(" ");
            values.put(parts[0], Long.parseLong(parts[1]));
        }
        return values;
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
        return output;
    }

    private static boolean hasConstant(final String qualified)
    {
        try
        {
            constant(qualified);
            return true;
        }
        catch (final IllegalStateException ex)
        {
            return false;
        }
    }

    private static int constant(final String qualified)
    {
        final int dot = qualified.indexOf('.');
        try
        {
            final Class<?> mirror = Class.forName("dev.flowrec.bpf." + qualified.substring(0, dot));
            return mirror.getField(qualified.substring(dot + 1)).getInt(null);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException(qualified + " is not a constant of the Java mirror: " + ex, ex);
        }
    }
}
