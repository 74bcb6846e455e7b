package dev.flowrec.bpf;

/**
 * Why the kernel emitted a flow delta, mirroring {@code enum fr_reason} in flowrec.h: each constant is named as
 * its member without the {@code FR_REASON_} prefix (KernelMirrorTest compiles the header and compares them).
 */
public final class Reasons
{
    /** First packet of a flow. */
    public static final int FIRST = 1;
    /** Flush interval elapsed. */
    public static final int INTERVAL = 2;
    /** TCP FIN or RST. */
    public static final int FIN_RST = 3;
    /** Sweeper: the flow went quiet. */
    public static final int IDLE = 4;
    /** Sweeper: forced flush, the recorder is stopping. */
    public static final int FINAL = 5;
    /** Packet mode: one event per packet. */
    public static final int PACKET = 6;
    /** Flow map full: this packet emitted alone. */
    public static final int MAP_FULL = 7;
    /** The packet hit a flow the sweeper had just removed: emitted alone. */
    public static final int RACE = 8;
    /** The delta neared its counter limits. */
    public static final int OVERFLOW = 9;

    private static final String[] NAMES = {
        null, "first", "interval", "fin_rst", "idle", "final", "packet", "map_full", "race", "overflow" };

    private Reasons()
    {
    }

    /** The lower_snake name of a reason, or "reason_N" for a value this build does not know. */
    public static String name(final int reason)
    {
        return reason >= FIRST && reason <= OVERFLOW ? NAMES[reason] : "reason_" + reason;
    }
}
