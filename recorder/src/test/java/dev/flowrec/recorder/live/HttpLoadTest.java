package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.recorder.live.HttpCounters.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.recorder.live.Events.TCP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The endpoints under hostile load on 127.0.0.1 while a feeder thread, standing in for the recorder thread,
 * folds deltas into the view and publishes: 1,000 concurrent connections, slowloris clients, oversized heads
 * and bodies. Asserts counts, never wall time: every refusal is seen by its client and counted by the server,
 * the feeder folds every event it made and keeps publishing during each phase, and threads and fds go back.
 */
class HttpLoadTest
{
    private static final int CLIENTS = 1000;
    private static final int SLOWLORIS = 8;
    private static final int EVENTS_PER_PUBLISH = 500;
    private static final int MAX_READ_MS = 30_000; // a hang guard only

    private final LiveView view = new LiveView(10_000, HttpLoadTest::clockNs);
    private final Feeder feeder = new Feeder();

    @Test
    void shouldSurviveAFloodSlowClientsAndOversizedRequestsWithTheRecorderUnaffected() throws Exception
    {
        feeder.start();
        while (view.snapshot().timeNs() == 0)
        {
            Thread.onSpinWait();
        }
        final long threadsBefore;
        final long fdsBefore;
        try (HttpEndpoints http = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", 0), view);
            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor())
        {
            final int port = http.address().getPort();
            assertEquals(200, status(request(port, get("/healthz")))); // warm: carriers and classes in place
            threadsBefore = platformThreads();
            fdsBefore = fds();

            // slowloris: one byte every 500 ms never finishes a head; a normal client is served meanwhile
            long published = feeder.publishes.get();
            final List<Future<String>> slow = new ArrayList<>();
            for (int i = 0; i < SLOWLORIS; i++)
            {
                slow.add(clients.submit(() -> slowloris(port)));
            }
            for (int i = 0; i < 20; i++)
            {
                assertEquals(200, status(request(port, get("/traffic"))));
            }
            for (final Future<String> s : slow)
            {
                final String answer = s.get(MAX_READ_MS, TimeUnit.MILLISECONDS);
                assertTrue(answer.isEmpty(), "closed without an answer: " + answer);
            }
            assertEquals(SLOWLORIS, http.counters().rejected(Reason.TIMEOUT));
            assertTrue(feeder.publishes.get() > published, "publish went on during slowloris");

            // oversized and malformed requests: a status each, counted by reason
            published = feeder.publishes.get();
            final String big = "GET /traffic HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(16 * 1024) + "\r\n\r\n";
            final String body = "GET /traffic HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + "b".repeat(100_000);
            for (int i = 0; i < 5; i++)
            {
                assertEquals(431, status(request(port, big)));
                assertEquals(413, status(request(port, body)));
                assertEquals(400, status(request(port, "NOT HTTP\r\n\r\n")));
                assertEquals(405, status(request(port, "DELETE /traffic HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
            }
            assertEquals(5, http.counters().rejected(Reason.HEADER_SIZE));
            assertEquals(5, http.counters().rejected(Reason.BODY));
            assertEquals(5, http.counters().rejected(Reason.MALFORMED));
            assertEquals(5, http.counters().rejected(Reason.METHOD));

            // 1,000 concurrent connections: all connect, then all ask; over the bound they are refused, counted
            published = feeder.publishes.get();
            final CountDownLatch connected = new CountDownLatch(CLIENTS);
            final CountDownLatch go = new CountDownLatch(1);
            final List<Future<Integer>> flood = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++)
            {
                flood.add(clients.submit(() -> floodClient(port, connected, go)));
            }
            assertTrue(connected.await(MAX_READ_MS, TimeUnit.MILLISECONDS), "all clients connected");
            final int openAtPeak = http.counters().open().get();
            go.countDown();
            int ok = 0;
            int refused = 0;
            for (final Future<Integer> f : flood)
            {
                final int status = f.get(MAX_READ_MS, TimeUnit.MILLISECONDS);
                if (status == 200)
                {
                    ok++;
                }
                else
                {
                    assertTrue(status == 503 || status == -1, "refused (503 or closed), not " + status);
                    refused++;
                }
            }
            final long refusedCounted = http.counters().rejected(Reason.CONNECTIONS);
            System.out.printf("flood: %d clients, %d open at peak, %d answered 200, %d refused (server counted %d)," +
                " feeder folded %d events, %d publishes during the flood%n", CLIENTS, openAtPeak, ok, refused,
                refusedCounted, feeder.folded.get(), feeder.publishes.get() - published);
            // the acceptor may take some from the backlog after the first answered connections closed: at least 64
            assertTrue(openAtPeak <= HttpLimits.DEFAULT.maxConnections(), "open " + openAtPeak);
            assertTrue(ok >= HttpLimits.DEFAULT.maxConnections(), "answered " + ok);
            assertEquals(CLIENTS - ok, refused);
            assertEquals(refused, refusedCounted, "every refusal counted");
            assertTrue(feeder.publishes.get() > published, "publish went on during the flood");

            // afterwards: healthy, counters in /metrics, connections, threads and fds back
            assertEquals(200, status(request(port, get("/healthz"))));
            final String metrics = request(port, get("/metrics"));
            assertTrue(metrics.contains("flowrec_http_rejected_total{reason=\"connections\"} " + refusedCounted + "\n"),
                metrics);
            assertTrue(metrics.contains("flowrec_http_rejected_total{reason=\"timeout\"} " + SLOWLORIS + "\n"));
            while (http.counters().open().get() != 0)
            {
                Thread.sleep(10); // the last answered connections close after their linger
            }
            assertTrue(platformThreads() <= threadsBefore + 2,
                "platform threads " + platformThreads() + " vs " + threadsBefore + " before");
            assertTrue(fds() <= fdsBefore + 8, "fds " + fds() + " vs " + fdsBefore + " before");
            assertTrue(feeder.publishes.get() > 0);
        }
        // close() stops Jetty's pool and timer, whose threads end a moment later: a leaked one would never end
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (serverThreads() > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(0, serverThreads(), "no server thread left after close");
        feeder.stopAndJoin();
        assertEquals(feeder.folded.get() + 1, view.eventsTotal(), "every delta the feeder made was folded (+ attach)");
        System.out.printf("feeder: %d deltas folded, %d publishes%n", feeder.folded.get(), feeder.publishes.get());
        assertEquals(feeder.folded.get() / EVENTS_PER_PUBLISH, feeder.publishes.get());
    }

    /** The recorder thread's stand-in: folds encoded FlowDelta events at a steady pace, publishing every 500. */
    private final class Feeder extends Thread
    {
        final AtomicLong folded = new AtomicLong();
        final AtomicLong publishes = new AtomicLong();
        private volatile boolean stop;

        Feeder()
        {
            super("feeder");
            setDaemon(true);
        }

        public void run()
        {
            final Events events = new Events(view).attached(2, "eth0", "");
            long made = 0;
            while (!stop)
            {
                for (int i = 0; i < EVENTS_PER_PUBLISH; i++, made++)
                {
                    events.v4(2, DIRECTION_IN, TCP, (int)(made % 200), 40000, 2, 443, 99.5, 1, 100);
                }
                folded.set(made);
                view.publish();
                publishes.incrementAndGet();
                LockSupport.parkNanos(1_000_000); // steady: about 500 events per ms, not flat out
            }
        }

        void stopAndJoin() throws InterruptedException
        {
            stop = true;
            join();
        }
    }

    private static int floodClient(final int port, final CountDownLatch connected, final CountDownLatch go)
        throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), MAX_READ_MS);
            socket.setSoTimeout(MAX_READ_MS);
            connected.countDown();
            go.await();
            try
            {
                socket.getOutputStream().write(get("/traffic").getBytes(StandardCharsets.ISO_8859_1));
                final String answer = readAll(socket.getInputStream());
                return answer.isEmpty() ? -1 : status(answer);
            }
            catch (final SocketException ex)
            {
                return -1; // refused at accept: reset before or instead of the 503
            }
        }
    }

    private static String slowloris(final int port) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(MAX_READ_MS);
            final OutputStream out = socket.getOutputStream();
            final byte[] head = get("/traffic").getBytes(StandardCharsets.ISO_8859_1);
            try
            {
                for (int i = 0; i < head.length - 1; i++) // never the last byte
                {
                    out.write(head[i]);
                    out.flush();
                    Thread.sleep(500);
                }
            }
            catch (final SocketException | InterruptedException ex)
            {
                // closed by the server while trickling: expected
            }
            try
            {
                return readAll(socket.getInputStream());
            }
            catch (final SocketException ex)
            {
                return "";
            }
        }
    }

    private static String get(final String path)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    }

    /** Sends whole, reads to end of stream; a reset after the answer arrived keeps the answer. */
    private static String request(final int port, final String request) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(MAX_READ_MS);
            final byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            try
            {
                socket.getOutputStream().write(bytes);
            }
            catch (final SocketException ex)
            {
                // the server answered and closed before taking everything (an oversized request)
            }
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(final InputStream in) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        final byte[] buffer = new byte[8192];
        try
        {
            for (int n; (n = in.read(buffer)) > 0; )
            {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
        catch (final SocketException ex)
        {
            if (text.isEmpty())
            {
                throw ex;
            }
        }
        return text.toString();
    }

    private static int status(final String response)
    {
        assertTrue(response.startsWith("HTTP/1.1 "), response);
        return Integer.parseInt(response.substring(9, 12));
    }

    /** Platform threads but the virtual-thread scheduler's carriers (the JDK's, kept for a while when idle). */
    private static long platformThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !t.getName().startsWith("ForkJoinPool-") && t.isAlive()).count();
    }

    private static long fds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    private static long clockNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long serverThreads()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("flowrec-http")).count();
    }
}
