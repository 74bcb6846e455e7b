package dev.flowrec.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SyscallExceptionTest
{
    @Test
    void shouldNameTheCallTheTargetAndTheErrno()
    {
        final SyscallException e = new SyscallException("setns", "/proc/123/ns/net", Libc.EPERM);
        assertEquals("setns /proc/123/ns/net: Operation not permitted (errno 1)", e.getMessage());
        assertEquals("setns", e.call());
        assertEquals("/proc/123/ns/net", e.target());
        assertEquals(Libc.EPERM, e.errno());
    }

    @Test
    void shouldSayHowACallFailedWithoutAnErrno()
    {
        final SyscallException e = new SyscallException("RTM_GETLINK", "dump", "interrupted by concurrent changes 5 times");
        assertEquals("RTM_GETLINK dump: interrupted by concurrent changes 5 times", e.getMessage());
        assertEquals(0, e.errno());
        assertEquals("clock_gettime: failed", new SyscallException("clock_gettime", "", "failed").getMessage());
    }

    @Test
    void shouldComeFromARealFailedCall()
    {
        final SyscallException badFd = assertThrows(SyscallException.class,
            () -> Libc.setns(-1, Libc.CLONE_NEWNET, "/proc/123/ns/net"));
        assertEquals("setns /proc/123/ns/net: Bad file descriptor (errno 9)", badFd.getMessage());
        assertEquals(Libc.EBADF, badFd.errno());

        // An fd that is open but no namespace: the kernel says EINVAL.
        final int fd = Libc.open("/proc/self/stat");
        try
        {
            final SyscallException notNs = assertThrows(SyscallException.class,
                () -> Libc.setns(fd, Libc.CLONE_NEWNET, "/proc/self/stat"));
            assertEquals("setns /proc/self/stat: Invalid argument (errno 22)", notNs.getMessage());
            assertEquals("setns", notNs.call());
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
