package dev.flowrec.recorder.live;

import dev.flowrec.recorder.live.HttpCounters.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes trickled where Jetty's idle timeout alone would never fire (every byte resets it): blank lines before a
 * request line, and a refused body. Each client sends a byte every {@value #TRICKLE_MS} ms for up to
 * {@value #BYTES} bytes (20 s); the server must end it long before (its bounds: 5 s of head, 1 s of drain).
 */
class HttpTrickleTest
{
    private static final int TRICKLE_MS = 500;
    private static final int BYTES = 40;

    private final LiveView view = new LiveView(1000, () -> 0);
    private HttpEndpoints http;

    @BeforeEach
    void start()
    {
        view.publish();
        http = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", 0), view);
    }

    @AfterEach
    void stop()
    {
        http.close();
    }

    @Test
    void shouldCloseAndCountBlankLinesTrickledBeforeARequestLine() throws Exception
    {
        final int sent = trickle("", "\r\n");
        assertTrue(sent < BYTES, "the server let " + sent + " blank lines through");
        assertEquals(1, http.counters().rejected(Reason.TIMEOUT));
    }

    @Test
    void shouldAnswerATrickledBodyWith413AndStopDrainingIt() throws Exception
    {
        final String head = "GET /traffic HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65536\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", http.address().getPort()))
        {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final int sent = send(out, "x");
            final String answer = readAll(socket.getInputStream());
            assertTrue(sent < BYTES, "the server drained " + sent + " trickled body bytes");
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        }
        assertEquals(1, http.counters().rejected(Reason.BODY));
    }

    /** Sends {@code head}, then {@code each} every {@value #TRICKLE_MS} ms until refused: how many it sent. */
    private int trickle(final String head, final String each) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", http.address().getPort()))
        {
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            return send(out, each);
        }
    }

    private static int send(final OutputStream out, final String each)
    {
        int sent = 0;
        try
        {
            for (; sent < BYTES; sent++)
            {
                out.write(each.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(TRICKLE_MS);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // closed by the server: what the test waits for (a write after the close fails)
        }
        return sent;
    }

    private static String readAll(final InputStream in) throws IOException
    {
        try
        {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        catch (final SocketException ex)
        {
            return "";
        }
    }
}
