package dev.flowrec.recorder.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * A headless browser with one page, as {@link DashboardTest} drives it: the same checks run in Chromium (DevTools
 * protocol) and Firefox (WebDriver BiDi), so the dashboard is held to one standard in both.
 */
interface Browser extends AutoCloseable
{
    /** Loads url and returns once its load event fired (its scripts ran). */
    void open(String url) throws Exception;

    /** The viewport of a desktop (mobile=false) or a phone (mobile=true: as far as the protocol can say so). */
    void viewport(int width, int height, boolean mobile) throws Exception;

    /** Evaluates an expression in the page, a promise awaited; a string, number or boolean as JSON. */
    JsonNode evaluate(String expression);

    /** A PNG of the whole page at the viewport's width. */
    void screenshot(Path png) throws Exception;

    /** Console errors, uncaught exceptions and failed loads since the start, one line each. */
    List<String> errors();

    @Override
    void close();
}
