package dev.flowrec.recorder.live;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;

/**
 * Publishes the live view's snapshot: at start (before the recorder says it is recording), in the first duty
 * cycle and about once a second after it, and a last time on close. Runs on the thread that folds the journal's
 * events into the view (its single writer), after the agents that journal in the same duty cycle.
 */
public final class LiveViewAgent implements Agent
{
    private static final long PUBLISH_PERIOD_NS = TimeUnit.SECONDS.toNanos(1);

    private final LiveView view;
    private long nextPublishNs;

    public LiveViewAgent(final LiveView view)
    {
        this.view = view;
    }

    public String roleName()
    {
        return "live-view";
    }

    public void onStart()
    {
        view.publish();
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextPublishNs < 0)
        {
            return 0;
        }
        nextPublishNs = nowNs + PUBLISH_PERIOD_NS;
        view.publish();
        return 1;
    }

    public void onClose()
    {
        view.publish();
    }
}
