package dev.flowrec.recorder.live;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** What the HTTP endpoints refused and why, how many requests they answered and how many connections are open. */
final class HttpCounters
{
    /** Why a request or connection was refused; the label value in {@code flowrec_http_rejected_total}. */
    enum Reason
    {
        /** Over the connection bound: 503 and closed at accept. */
        CONNECTIONS("connections"),
        /** Request head or response not done within its deadline (slow clients): closed. */
        TIMEOUT("timeout"),
        /** Request line and headers over the size bound: 431. */
        HEADER_SIZE("header_size"),
        /** A GET or HEAD with a body: 413, the body drained up to a bound, then closed. */
        BODY("body"),
        /** Not an HTTP/1.x request line or header: 400. */
        MALFORMED("malformed"),
        /** A method other than GET or HEAD: 405. */
        METHOD("method");

        final String label;

        Reason(final String label)
        {
            this.label = label;
        }
    }

    private final AtomicLongArray rejected = new AtomicLongArray(Reason.values().length);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();

    void reject(final Reason reason)
    {
        rejected.incrementAndGet(reason.ordinal());
    }

    long rejected(final Reason reason)
    {
        return rejected.get(reason.ordinal());
    }

    long rejectedTotal()
    {
        long total = 0;
        for (final Reason reason : Reason.values())
        {
            total += rejected(reason);
        }
        return total;
    }

    void answered()
    {
        requests.incrementAndGet();
    }

    /** @return requests answered with any status (rejections with a status included). */
    long requests()
    {
        return requests.get();
    }

    AtomicInteger open()
    {
        return open;
    }
}
