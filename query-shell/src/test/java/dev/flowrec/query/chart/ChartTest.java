package dev.flowrec.query.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Column;
import dev.flowrec.query.Coverage;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Charts of a series answer: in the terminal, one line per group; as files, a PNG and an SVG with a colour per group. */
class ChartTest
{
    private static final long T = 1_795_694_400_000_000_000L; // 2026-11-26T12:00:00Z
    private static final long MINUTE = 60_000_000_000L;
    private static final List<Column> SERIES = List.of(new Column("time", Column.Type.TIME), new Column("proto", Column.Type.TEXT),
        new Column("flows", Column.Type.COUNT), new Column("packets", Column.Type.COUNT), new Column("bytes", Column.Type.BYTES));

    /** Three groups over ten minutes: tcp grows, udp is flat, gre (a number in the answer) only in the last minute. */
    private static Answer series()
    {
        final List<Object[]> rows = new ArrayList<>();
        for (int m = 0; m < 10; m++)
        {
            rows.add(new Object[] {T + m * MINUTE, "tcp", 1L, 10L, (m + 1) * 1024L * 1024L});
            rows.add(new Object[] {T + m * MINUTE, "udp", 1L, 10L, 100L * 1024L});
        }
        rows.add(new Object[] {T + 9 * MINUTE, "47", 1L, 1L, 500L});
        return new Answer(SERIES, rows, new Coverage(0, 0, 0, 0, 0, List.of()), null);
    }

    @Test
    void shouldDrawOneLinePerGroupOnOneScaleWithTheAxisInUnits()
    {
        final StringWriter text = new StringWriter();
        TerminalChart.write(ChartData.of(series(), "bytes", MINUTE), new PrintWriter(text));
        final List<String> lines = text.toString().lines().toList();
        assertEquals("bytes per 1m, one column each; ▁ to █ = up to 10.0 MiB (one scale for every line)", lines.get(0));
        assertTrue(lines.get(1).startsWith("tcp │▁▂▃▄▄▅▆▇██│ peak 10.0 MiB, total 55.0 MiB"), text.toString());
        assertTrue(lines.get(2).startsWith("udp │▁▁▁▁▁▁▁▁▁▁│ peak 100.0 KiB"), text.toString());
        assertTrue(lines.get(3).startsWith("gre │         ▁│ peak 500 B"), "the IANA name, its minute alone: " + text);
        assertTrue(lines.get(5).contains("2026-11-26 12:00:00 .. 12:10:00 UTC"), text.toString());
        assertEquals(6, lines.size(), text.toString());
    }

    @Test
    void shouldSayTheQuerysIntervalWhateverBucketsTheAnswerHas()
    {
        // one bucket, then two buckets five intervals apart: the rows alone cannot tell the interval
        final List<Object[]> one = List.<Object[]>of(new Object[] {T, "tcp", 1L, 1L, 100L});
        final List<Object[]> gapped = List.of(new Object[] {T, "tcp", 1L, 1L, 100L},
            new Object[] {T + 5 * MINUTE, "tcp", 1L, 1L, 200L});
        for (final List<Object[]> rows : List.of(one, gapped))
        {
            final StringWriter text = new StringWriter();
            TerminalChart.write(ChartData.of(new Answer(SERIES, rows, new Coverage(0, 0, 0, 0, 0, List.of()), null),
                "bytes", MINUTE), new PrintWriter(text));
            final List<String> lines = text.toString().lines().toList();
            assertTrue(lines.get(0).startsWith("bytes per 1m, one column each"), text.toString());
            assertTrue(lines.get(1).startsWith("tcp │" + (rows.size() == 1 ? "█│" : "▄    █│")), "a column a minute: " + text);
        }
    }

    @Test
    void shouldRefuseAFlowListing()
    {
        final Answer listing = new Answer(List.of(new Column("proto", Column.Type.TEXT), new Column("bytes", Column.Type.BYTES)),
            List.<Object[]>of(new Object[] {"tcp", 1L}), new Coverage(0, 0, 0, 0, 0, List.of()), null);
        assertFalse(ChartData.chartable(listing));
        assertThrows(IllegalArgumentException.class, () -> ChartData.of(listing, "bytes", 0));
    }

    @Test
    void shouldWriteAPngWithOneColourPerGroup() throws Exception
    {
        final ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartFile.write(ChartData.of(series(), "bytes", MINUTE), "test", ChartFile.Kind.png, png);
        final BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
        assertEquals(1200, image.getWidth());
        assertEquals(600, image.getHeight());
        final Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++)
        {
            for (int x = 0; x < image.getWidth(); x++)
            {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertEquals(3, paletteColoursIn(colours), "three series, three palette colours");
    }

    @Test
    void shouldWriteAnSvgWithOneColourPerGroupAndTheirNames() throws Exception
    {
        final ByteArrayOutputStream svg = new ByteArrayOutputStream();
        ChartFile.write(ChartData.of(series(), "bytes", MINUTE), "test", ChartFile.Kind.svg, svg);
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network
        final Document doc = factory.newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.toByteArray()));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        final Set<Integer> colours = new HashSet<>();
        final NodeList all = doc.getElementsByTagName("*");
        final List<String> texts = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++)
        {
            final Element e = (Element)all.item(i);
            for (final String attribute : List.of("stroke", "fill", "style"))
            {
                colours.addAll(rgb(e.getAttribute(attribute)));
            }
            if ("text".equals(e.getTagName()))
            {
                texts.add(e.getTextContent());
            }
        }
        assertEquals(3, paletteColoursIn(colours), "three series, three palette colours");
        assertTrue(texts.containsAll(List.of("tcp", "udp", "gre")), "the legend names each group: " + texts);
    }

    private static long paletteColoursIn(final Set<Integer> colours)
    {
        // the palette's fourth colour must be absent: a fourth series would have it
        return java.util.Arrays.stream(ChartFile.PALETTE).mapToInt(c -> c.getRGB() & 0xFFFFFF).filter(colours::contains).count();
    }

    /** The colours an SVG attribute names: rgb(r,g,b) and #rrggbb. */
    private static Set<Integer> rgb(final String value)
    {
        final Set<Integer> out = new HashSet<>();
        final var rgb = java.util.regex.Pattern.compile("rgb\\((\\d+),\\s*(\\d+),\\s*(\\d+)\\)").matcher(value);
        while (rgb.find())
        {
            out.add(new Color(Integer.parseInt(rgb.group(1)), Integer.parseInt(rgb.group(2)), Integer.parseInt(rgb.group(3))).getRGB() & 0xFFFFFF);
        }
        final var hex = java.util.regex.Pattern.compile("#([0-9a-fA-F]{6})").matcher(value.toLowerCase(Locale.ROOT));
        while (hex.find())
        {
            out.add(Integer.parseInt(hex.group(1), 16));
        }
        return out;
    }
}
