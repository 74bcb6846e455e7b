package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecorderErrorsTest
{
    private final List<String> said = new ArrayList<>();
    private final RecorderErrors errors = new RecorderErrors(said::add);

    @Test
    void shouldCountEveryErrorWhileRunningAndSayEachMessageOnce()
    {
        errors.running(true);
        errors.onError(new IllegalStateException("RTM_GETLINK dump on netlink port 7: Device or resource busy"));
        errors.onError(new IllegalStateException("RTM_GETLINK dump on netlink port 7: Device or resource busy"));
        errors.onError(new NullPointerException());
        errors.count();
        errors.throwIfFatal(); // nothing fatal while running
        assertEquals(4, errors.errorsTotal());
        assertEquals(List.of("warning: RTM_GETLINK dump on netlink port 7: Device or resource busy",
            "warning: java.lang.NullPointerException"), said);
    }

    @Test
    void shouldKeepAnErrorWhileNotRunningAndThrowItWithItsOwnMessage()
    {
        final IllegalStateException first = new IllegalStateException("interface d1 vanished before it could be attached");
        errors.onError(first);
        errors.onError(new IllegalStateException("closing"));
        assertEquals(0, errors.errorsTotal(), "a fatal error is not counted");
        assertEquals(List.of(), said, "nor said: the command line says it");
        assertSame(first, assertThrows(IllegalStateException.class, errors::throwIfFatal));
        assertEquals("closing", first.getSuppressed()[0].getMessage());
        errors.throwIfFatal(); // thrown once
    }

    @Test
    void shouldThrowACheckedFatalErrorAsUncheckedWithItsMessage()
    {
        errors.onError(new IOException("journal directory /j: Read-only file system"));
        final IllegalStateException thrown = assertThrows(IllegalStateException.class, errors::throwIfFatal);
        assertEquals("journal directory /j: Read-only file system", thrown.getMessage());
    }
}
