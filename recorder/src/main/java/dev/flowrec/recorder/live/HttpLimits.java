package dev.flowrec.recorder.live;

import java.util.concurrent.TimeUnit;

/**
 * The bounds of the HTTP endpoints (see recorder/HTTP.md).
 *
 * @param maxConnections   connections kept open at once; the next is answered 503 and closed at accept
 * @param maxHeadBytes     request line and headers, blank line included; more is 431
 * @param idleTimeoutNs    how long a connection may wait for a request's first byte (kept-alive or new), and how long
 *                         a write of an answer may make no progress (a client that does not read)
 * @param requestTimeoutNs from a request's first byte to its last header; a slower client is closed
 */
record HttpLimits(int maxConnections, int maxHeadBytes, long idleTimeoutNs, long requestTimeoutNs)
{
    static final HttpLimits DEFAULT = new HttpLimits(64, 8 * 1024, TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(5));
}
