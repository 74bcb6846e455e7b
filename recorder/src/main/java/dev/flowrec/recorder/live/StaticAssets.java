package dev.flowrec.recorder.live;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's files, read once from the class path at start and served from memory: the page, its script and
 * style (this package's {@code web/}), and uPlot, the charting library, from its npm package vendored at build time
 * as a webjar ({@code org.webjars.npm:uplot}). No CDN, nothing fetched at run time.
 */
final class StaticAssets
{
    private static final String WEB = "/dev/flowrec/recorder/live/web/";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private final Map<String, Routes.Response> files;

    private StaticAssets(final Map<String, Routes.Response> files)
    {
        this.files = files;
    }

    static StaticAssets load()
    {
        final Map<String, Routes.Response> files = new HashMap<>();
        put(files, "/", WEB + "index.html", "text/html; charset=utf-8");
        put(files, "/static/app.js", WEB + "app.js", "text/javascript; charset=utf-8");
        put(files, "/static/app.css", WEB + "app.css", "text/css; charset=utf-8");
        final String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        put(files, "/static/uPlot.iife.min.js", uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8");
        put(files, "/static/uPlot.min.css", uplot + "uPlot.min.css", "text/css; charset=utf-8");
        return new StaticAssets(Map.copyOf(files));
    }

    boolean has(final String path)
    {
        return files.containsKey(path);
    }

    Routes.Response get(final String path)
    {
        return files.get(path);
    }

    private static void put(final Map<String, Routes.Response> files, final String path, final String resource,
        final String contentType)
    {
        files.put(path, new Routes.Response(200, contentType, read(resource), false));
    }

    private static String uplotVersion()
    {
        final Properties pom = new Properties();
        try (InputStream in = StaticAssets.class.getResourceAsStream(UPLOT_POM))
        {
            if (in == null)
            {
                throw new IllegalStateException("the dashboard's chart library is not on the class path: " + UPLOT_POM);
            }
            pom.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("read " + UPLOT_POM + ": " + ex.getMessage(), ex);
        }
        return pom.getProperty("version");
    }

    private static byte[] read(final String resource)
    {
        try (InputStream in = StaticAssets.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("the dashboard's file is not on the class path: " + resource);
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("read " + resource + ": " + ex.getMessage(), ex);
        }
    }
}
