package dev.flowrec.query.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.time.FixedMillisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * A chart file of a grouped answer, headless: a line per group over time for a series, a bar per group otherwise,
 * as PNG or SVG (JFreeChart drawing on JFreeSVG's Graphics2D). Series take the colours of {@link #PALETTE} in order.
 */
public final class ChartFile
{
    public enum Kind
    {
        png, svg
    }

    /**
     * Distinct colours, colour-blind-friendly first (Okabe-Ito without its black, then Tableau's), none grey: the
     * axes, grid and text are; a chart of more groups repeats them.
     */
    public static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7), new Color(0x56B4E9),
        new Color(0xD55E00), new Color(0xF0E442), new Color(0x8C564B), new Color(0x9467BD), new Color(0xBCBD22)};
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 600;

    private ChartFile()
    {
    }

    public static void write(final ChartData data, final String title, final Kind kind, final OutputStream out)
        throws IOException
    {
        System.setProperty("java.awt.headless", "true"); // no display: render into memory only
        final JFreeChart chart = data.timed() ? timeChart(data, title) : barChart(data, title);
        chart.setBackgroundPaint(Color.WHITE);
        switch (kind)
        {
            case png -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
            case svg ->
            {
                final SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
                chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
                out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
            }
        }
        out.flush();
    }

    private static JFreeChart timeChart(final ChartData data, final String title)
    {
        final TimeSeriesCollection dataset = new TimeSeriesCollection(TimeZone.getTimeZone("UTC"));
        for (final Map.Entry<String, TreeMap<Long, Long>> e : data.series().entrySet())
        {
            final TimeSeries series = new TimeSeries(e.getKey());
            for (final long bucket : data.buckets()) // a group absent from a bucket had nothing there: 0, not a gap
            {
                series.add(new FixedMillisecond(bucket / 1_000_000L), e.getValue().getOrDefault(bucket, 0L));
            }
            dataset.addSeries(series);
        }
        final String per = data.intervalNs() > 0 ? " per " + TerminalChart.duration(data.intervalNs()) : "";
        final JFreeChart chart = ChartFactory.createTimeSeriesChart(title, "time (UTC)", data.metric() + per, dataset,
            true, false, false);
        final XYPlot plot = chart.getXYPlot();
        ((DateAxis)plot.getDomainAxis()).setTimeZone(TimeZone.getTimeZone("UTC"));
        units((NumberAxis)plot.getRangeAxis(), data.metric());
        final XYItemRenderer renderer = plot.getRenderer();
        for (int i = 0; i < dataset.getSeriesCount(); i++)
        {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    private static JFreeChart barChart(final ChartData data, final String title)
    {
        final DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (final Map.Entry<String, TreeMap<Long, Long>> e : data.series().entrySet())
        {
            dataset.addValue(e.getValue().values().stream().mapToLong(Long::longValue).sum(), e.getKey(), data.metric());
        }
        final JFreeChart chart = ChartFactory.createBarChart(title, "", data.metric(), dataset,
            PlotOrientation.VERTICAL, true, false, false);
        final CategoryPlot plot = chart.getCategoryPlot();
        units((NumberAxis)plot.getRangeAxis(), data.metric());
        final BarRenderer renderer = (BarRenderer)plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < dataset.getRowCount(); i++)
        {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    /** Bytes ticks in the tables' binary units (KiB, MiB, ...); counts as integers. */
    private static void units(final NumberAxis axis, final String metric)
    {
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        if ("bytes".equals(metric))
        {
            axis.setNumberFormatOverride(new BinaryBytes());
        }
    }

    /** Formats an axis tick as 1.5 MiB. */
    private static final class BinaryBytes extends NumberFormat
    {
        public StringBuffer format(final double number, final StringBuffer to, final FieldPosition pos)
        {
            return to.append(dev.flowrec.journal.text.Sizes.human((long)number));
        }

        public StringBuffer format(final long number, final StringBuffer to, final FieldPosition pos)
        {
            return to.append(dev.flowrec.journal.text.Sizes.human(number));
        }

        public Number parse(final String source, final ParsePosition parsePosition)
        {
            throw new UnsupportedOperationException("an axis format only formats");
        }
    }
}
