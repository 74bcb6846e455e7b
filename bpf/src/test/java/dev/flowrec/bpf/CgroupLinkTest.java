package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.SyscallException;

/**
 * cgroup_skb programs on a real cgroup2 directory made by the test. A shell joins the cgroup, then execs a ping
 * inside namespace A (ip netns exec remounts /sys, so the cgroup is joined first); B answers over a veth.
 * The ping's socket belongs to the cgroup, so its packets are counted under the cgroup's pseudo-ifindex.
 */
class CgroupLinkTest
{
    private static final int PSEUDO = CgroupLink.PSEUDO_IFINDEX_BASE + 1;
    private static final int ICMP = 1;
    private static final int PINGS = 5;
    private static final int PING_IP_BYTES = 84; // cgroup_skb sees the skb from its IP header: 20 IP + 8 ICMP + 56

    private final NetnsFixture net = new NetnsFixture();
    private String nsA;
    private Path cgroup;
    private FlowProgram program;

    @BeforeEach
    void topology()
    {
        nsA = net.ipv4Pair(net.id() + "a", "10.213.30.1/24", net.id() + "b", "10.213.30.2/24").a();
        cgroup = net.cgroup("workload");
        program = FlowProgram.load(FlowProgram.Config.defaults());
    }

    @AfterEach
    void cleanUp()
    {
        try
        {
            program.close();
        }
        finally
        {
            net.close();
        }
    }

    @Test
    void shouldCountTheCgroupsPingsUnderItsPseudoIfindexAndDetachOnClose() throws Exception
    {
        final CgroupLink link = program.attachCgroup(cgroup, PSEUDO);
        assertEquals(cgroup, link.cgroupDir());
        assertEquals(PSEUDO, link.pseudoIfindex());
        assertEquals(Files.getAttribute(cgroup, "unix:ino"), link.cgroupId());
        assertEquals(PSEUDO, lookup(link.cgroupId()));
        final String attached = attachedPrograms();
        // Links are always BPF_F_ALLOW_MULTI: programs others attach to the cgroup stay.
        assertTrue(attached.matches("(?s).*cgroup_inet_ingress\\s+multi\\s+flowrec_cgroup_ingress.*"), attached);
        assertTrue(attached.matches("(?s).*cgroup_inet_egress\\s+multi\\s+flowrec_cgroup_egress.*"), attached);
        assertEquals(2, attached.lines().filter(l -> l.contains("flowrec_cgroup")).count(), attached);

        final Process workload = net.start(new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
            + "; exec ip netns exec " + nsA + " ping -q -c " + PINGS + " -i 0.1 -W 2 10.213.30.2")
            .redirectErrorStream(true));
        final String output = new String(workload.getInputStream().readAllBytes());
        assertTrue(workload.waitFor(20, TimeUnit.SECONDS), output);
        assertEquals(0, workload.exitValue(), output);

        program.sweep(0, Reasons.FINAL);
        final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());
        // Every packet the programs saw came from a socket of this cgroup: had the directory's inode not been the
        // id bpf_skb_cgroup_id returns, the map lookup would have missed and keyed them under ifindex 0.
        for (final DrainedEvents.Event e : events.list)
        {
            assertEquals(PSEUDO, e.ifindex(), events::toString);
        }
        final DrainedEvents requests = select(events, FlowEventDecoder.DIRECTION_OUT);
        assertEquals(PINGS, requests.packets(), events::toString);
        assertEquals(PINGS * PING_IP_BYTES, requests.bytes(), events::toString);
        assertEquals(8 << 8, requests.list.getFirst().dport(), "echo request: type 8 code 0");
        assertEquals(Frames.ipv4(10, 213, 30, 1), ipv4(requests.list.getFirst().src()));
        final DrainedEvents replies = select(events, FlowEventDecoder.DIRECTION_IN);
        assertEquals(PINGS, replies.packets(), events::toString);
        assertEquals(PINGS * PING_IP_BYTES, replies.bytes(), events::toString);
        assertEquals(0, replies.list.getFirst().dport(), "echo reply: type 0 code 0");
        assertEquals(Frames.ipv4(10, 213, 30, 2), ipv4(replies.list.getFirst().src()));

        link.close();
        link.close();
        assertFalse(attachedPrograms().contains("flowrec"), this::attachedPrograms);
        assertEquals(-Libc.ENOENT, lookup(link.cgroupId()), "the map entry is gone");
    }

    @Test
    void shouldRefuseToAttachTheSameCgroupTwice()
    {
        try (CgroupLink link = program.attachCgroup(cgroup, PSEUDO))
        {
            final BpfException e = assertThrows(BpfException.class,
                () -> program.attachCgroup(cgroup, CgroupLink.pseudoIfindex(2)));
            assertEquals(Libc.EEXIST, e.errno());
            assertTrue(e.getMessage().contains(cgroup.toString()), e::getMessage);
            assertEquals(PSEUDO, lookup(link.cgroupId()), "the first link's entry stays");
            assertEquals(2, attachedPrograms().lines().filter(l -> l.contains("flowrec_cgroup")).count(),
                this::attachedPrograms);
        }
        assertFalse(attachedPrograms().contains("flowrec"), this::attachedPrograms);
    }

    @Test
    void shouldUndoTheIngressLinkAndTheMapEntryWhenEgressCannotAttach() throws IOException
    {
        // An exclusive (legacy, flags 0) egress program on the cgroup refuses every further egress program.
        final String egressId = progId(program.programFd(FlowProgram.CGROUP_EGRESS_PROGRAM));
        Shell.run("bpftool", "cgroup", "attach", cgroup.toString(), "egress", "id", egressId);
        try
        {
            final BpfException e = assertThrows(BpfException.class, () -> program.attachCgroup(cgroup, PSEUDO));
            assertTrue(e.getMessage().startsWith("bpf_program__attach_cgroup flowrec_cgroup_egress on " + cgroup),
                e::getMessage);
            assertEquals(1, e.errno(), "EPERM: " + e.getMessage());
            final String attached = attachedPrograms();
            assertFalse(attached.contains("ingress"), attached);
            assertEquals(1, attached.lines().filter(l -> l.contains("flowrec_cgroup")).count(), attached);
            assertEquals(-Libc.ENOENT, lookup((Long)Files.getAttribute(cgroup, "unix:ino")), "the map entry is gone");
        }
        finally
        {
            Shell.run("bpftool", "cgroup", "detach", cgroup.toString(), "egress", "id", egressId);
        }
        try (CgroupLink link = program.attachCgroup(cgroup, PSEUDO))
        {
            assertEquals(2, attachedPrograms().lines().filter(l -> l.contains("flowrec_cgroup")).count());
        }
    }

    @Test
    void shouldStayAttachedAfterTheProgramIsClosedUntilClosedItself()
    {
        final CgroupLink link = program.attachCgroup(cgroup, PSEUDO);
        program.close();
        assertTrue(attachedPrograms().contains("flowrec_cgroup"), this::attachedPrograms);
        link.close();
        assertFalse(attachedPrograms().contains("flowrec"), this::attachedPrograms);
    }

    @Test
    void shouldNameWhatIsNotACgroup()
    {
        final Path missing = NetnsFixture.UNIFIED.resolve("frtest-no-such-cgroup");
        // Not a libbpf failure: open(2)'s, a SyscallException (BpfException is for libbpf's).
        final SyscallException absent = assertThrows(SyscallException.class, () -> program.attachCgroup(missing, PSEUDO));
        assertEquals(Libc.ENOENT, absent.errno());
        assertEquals("open", absent.call());
        assertEquals(missing.toString(), absent.target());
        assertTrue(absent.getMessage().startsWith("open " + missing + ": "), absent::getMessage);

        final BpfException plain = assertThrows(BpfException.class, () -> program.attachCgroup(Path.of("/tmp"), PSEUDO));
        assertEquals("/tmp is not a cgroup2 directory", plain.getMessage());

        assertThrows(IllegalArgumentException.class, () -> program.attachCgroup(cgroup, 7), "a real ifindex");
        assertThrows(IllegalArgumentException.class, () -> CgroupLink.pseudoIfindex(-1));
        assertTrue(CgroupLink.isPseudoIfindex(CgroupLink.pseudoIfindex(3)));
        assertFalse(CgroupLink.isPseudoIfindex(3));
    }

    /** cgroups[id] as an int, or the lookup's -errno. */
    private int lookup(final long id)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocate(JAVA_LONG);
            key.set(JAVA_LONG, 0, id);
            final MemorySegment value = arena.allocate(JAVA_INT);
            final int rc = Libbpf.mapLookupElem(program.mapFd(FlowProgram.CGROUPS_MAP), key, value);
            return rc < 0 ? rc : value.get(JAVA_INT, 0);
        }
    }

    private static String progId(final int fd) throws IOException
    {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
            .filter(l -> l.startsWith("prog_id:")).map(l -> l.substring("prog_id:".length()).strip())
            .findFirst().orElseThrow();
    }

    private String attachedPrograms()
    {
        return Shell.run("bpftool", "cgroup", "show", cgroup.toString());
    }

    private static DrainedEvents select(final DrainedEvents all, final int direction)
    {
        final DrainedEvents selected = new DrainedEvents();
        for (final DrainedEvents.Event e : all.list)
        {
            if (e.direction() == direction && e.family() == 4 && e.proto() == ICMP)
            {
                selected.list.add(e);
            }
        }
        assertTrue(selected.list.size() > 0, all::toString);
        return selected;
    }

    private static int ipv4(final byte[] mapped)
    {
        return (mapped[12] & 0xFF) << 24 | (mapped[13] & 0xFF) << 16 | (mapped[14] & 0xFF) << 8 | (mapped[15] & 0xFF);
    }
}
