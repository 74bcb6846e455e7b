/* Records shared between the BPF program and the JVM (dev.flowrec.bpf.FlowEventDecoder mirrors the event;
 * a golden-bytes test pins every offset). All little-endian, x86_64 and BPF agree on alignment. */
#ifndef FLOWREC_H
#define FLOWREC_H

#include <linux/types.h>

/* Directions: an interface's own (TC ingress = in), or, on the host side of a container's veth attached in
 * the workload view, the container's (the programs swap hooks); a cgroup's sockets' for cgroup_skb. */
#define FR_DIR_IN  0 /* into the interface's host, the workload or the cgroup */
#define FR_DIR_OUT 1 /* out of it */

/* One-way flow, as NetFlow/IPFIX. IPv4 addresses are stored v4-mapped (::ffff:a.b.c.d).
 * ICMP/ICMPv6: sport 0, dport type << 8 | code (nfdump's convention). Ports in host order.
 *
 *  0                   16                  32      36      38      40  41  42  43  44
 *  +-------------------+-------------------+-------+-------+-------+---+---+---+---+
 *  | src (16)          | dst (16)          |ifindex| sport | dport |pro|fam|dir|pad|
 *  +-------------------+-------------------+-------+-------+-------+---+---+---+---+
 */
struct fr_flow_key {
	__u8  src[16];
	__u8  dst[16];
	__u32 ifindex;
	__u16 sport;
	__u16 dport;
	__u8  proto;
	__u8  family; /* 4 or 6 */
	__u8  direction;
	__u8  pad;
};

/* ctr packs one delta so that a single atomic add counts a packet and a single atomic
 * exchange takes the delta: bit 63 DEAD (the sweeper took the flow away), bits 62..40
 * packets, bits 39..0 bytes. A flush is forced long before either field can carry over. */
#define FR_CTR_DEAD         (1ULL << 63)
#define FR_CTR_PKT_SHIFT    40
#define FR_CTR_BYTES_MASK   ((1ULL << FR_CTR_PKT_SHIFT) - 1)
#define FR_CTR_PKT_MASK     ((1ULL << 23) - 1)
#define FR_CTR_PKT_LIMIT    (1ULL << 22)
#define FR_CTR_BYTES_LIMIT  (1ULL << 39)

struct fr_flow_state {
	__u64 ctr;
	__u64 first_ns;       /* first packet of this delta (boot time) */
	__u64 last_ns;        /* last packet seen (boot time) */
	__u64 last_flush_ns;  /* 0: never flushed yet */
	__u64 tcp_flags;      /* OR of TCP flags since the last flush */
	__u64 owner_since_ns; /* the entry's first packet (boot time), while its owner is looked for */
	__u64 owner_tries;    /* packets left on which to look for its owner (0: found, given up, or not looked for) */
};

/* Why a delta was emitted. */
enum fr_reason {
	FR_REASON_FIRST    = 1, /* first packet of a flow */
	FR_REASON_INTERVAL = 2, /* flush interval elapsed */
	FR_REASON_FIN_RST  = 3, /* TCP FIN or RST */
	FR_REASON_IDLE     = 4, /* sweeper: flow went quiet */
	FR_REASON_FINAL    = 5, /* sweeper: forced flush (recorder stopping) */
	FR_REASON_PACKET   = 6, /* packet mode: one event per packet */
	FR_REASON_MAP_FULL = 7, /* flow map full: this packet emitted alone */
	FR_REASON_RACE     = 8, /* packet hit a flow the sweeper just removed: emitted alone */
	FR_REASON_OVERFLOW = 9, /* delta near its counter limits */
};

/* Ring buffer record: one flow delta.
 *
 *  0          44  45  46  48        56        64         72        80
 *  +----------+---+---+---+---------+---------+----------+---------+
 *  | key (44) |flg|rsn|pad| packets | bytes   | first_ns | last_ns |
 *  +----------+---+---+---+---------+---------+----------+---------+
 */
struct fr_flow_event {
	struct fr_flow_key key;
	__u8  tcp_flags;
	__u8  reason;
	__u16 pad;
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
};

/* Sides of an owner record: whose socket the owner is. */
#define FR_SIDE_SENDER   0 /* the socket that sent the flow's packets */
#define FR_SIDE_RECEIVER 1 /* the local socket the flow's packets are delivered to */

#define FR_COMM_LEN 16

/* The process that last created, bound, connected or sent with a socket: the value of the socket-local storage
 * map owners, written by the cgroup sock programs in process context. */
struct fr_owner {
	__u32 tgid;       /* pid as ps shows it, host pid namespace */
	__u32 tid;
	__u64 cgroup_id;  /* cgroup v2 id of the task */
	__u64 netns_ino;  /* 0: not known */
	char  comm[FR_COMM_LEN];
};

/* Ring buffer record: the owner of a new flow entry's socket, reserved before the flow's first delta. Its length
 * differs from struct fr_flow_event's, which is how the consumer tells the two apart.
 *
 *  0          44  45   48     52     56          64          72        80         96
 *  +----------+---+----+------+------+-----------+-----------+---------+----------+
 *  | key (44) |sid|pad |tgid  |tid   | cgroup_id | netns_ino | time_ns | comm (16)|
 *  +----------+---+----+------+------+-----------+-----------+---------+----------+
 */
struct fr_owner_event {
	struct fr_flow_key key;
	__u8  side;
	__u8  pad[3];
	__u32 tgid;
	__u32 tid;
	__u64 cgroup_id;
	__u64 netns_ino;
	__u64 time_ns;    /* the flow entry's first packet (boot time) */
	char  comm[FR_COMM_LEN];
};

/* DNS responses (QR set, from port 53, UDP or TCP, IPv4 or IPv6) carry their DNS payload to user space, at most
 * FR_DNS_CAPTURE bytes of it: no other payload ever leaves the kernel. mDNS (5353) and LLMNR (5355) are not
 * captured. */
#define FR_DNS_PORT    53
#define FR_DNS_CAPTURE 2048

/* A DNS query the host was seen asking (to port 53, QR clear), remembered until its response comes: the key of the
 * dns_queries LRU map, as the response will show it (client and server swapped back). Only a response that answers
 * a remembered query is handed to user space, so that a packet nobody asked for can name nothing. */
struct fr_dns_query_key {
	__u8  client[16];
	__u8  server[16];
	__u16 client_port;
	__u16 id;          /* the DNS transaction id, as on the wire */
	__u8  proto;
	__u8  pad[3];
};

/* Ring buffer record: one DNS response as a packet carried it. The key is the response's (src: the server, dst:
 * the client). length: payload bytes copied (at most FR_DNS_CAPTURE); wire_length: the L4 payload bytes the packet
 * held (more than length: the response was cut short here). For TCP the payload starts with the 2-byte length
 * prefix of RFC 1035 4.2.2. Its length differs from the other records', which is how the consumer tells it apart.
 *
 *  0          44       46            48        56             64
 *  +----------+--------+-------------+---------+--------------+--------------------------+
 *  | key (44) | length | wire_length | time_ns | netns_cookie | payload (FR_DNS_CAPTURE) |
 *  +----------+--------+-------------+---------+--------------+--------------------------+
 */
struct fr_dns_event {
	struct fr_flow_key key;
	__u16 length;
	__u16 wire_length;
	__u64 time_ns;      /* boot time */
	__u64 netns_cookie; /* the packet's network namespace (bpf_get_netns_cookie), 0 when not known */
	__u8  payload[FR_DNS_CAPTURE];
};

/* Indices of the per-CPU counters map; the recorder journals them as loss reports. Every frame a program
 * sees moves exactly one of PACKETS_SEEN (by its wire packets), NON_IP, MALFORMED and TOO_DEEP. */
enum fr_counter {
	FR_C_PACKETS_SEEN = 0,   /* IP packets counted (wire packets) */
	FR_C_BYTES_SEEN,         /* their layer-3 bytes */
	FR_C_RB_LOST_EVENTS,     /* ring buffer full: deltas that could not be kept */
	FR_C_RB_LOST_PACKETS,
	FR_C_RB_LOST_BYTES,
	FR_C_RB_DEFERRED,        /* ring buffer full: delta left in the map for a later flush */
	FR_C_MAP_FULL,           /* flow map full: packets emitted alone instead */
	FR_C_NON_IP,             /* frames that are not IPv4/IPv6 (ARP, LLDP, ...): not flows */
	FR_C_MALFORMED,          /* IP frames whose headers are truncated or bogus */
	FR_C_TOO_DEEP,           /* VLAN tags or IPv6 extension headers nested deeper than the parser follows */
	FR_C_OWNER_FOUND,        /* flow entries created with the owner of their local socket (an owner record) */
	FR_C_OWNER_NONE,         /* flow entries created with no owner found (no local socket, or one never seen) */
	FR_C_DNS_LOST,           /* DNS responses not handed to user space: the ring buffer was full */
	FR_C_DNS_UNSOLICITED,    /* DNS responses that answer no query the host was seen asking: never handed over */
	FR_C_COUNT
};

/* The layout of the kernel state a recorder instance pins (/sys/fs/bpf/flowrec/INSTANCE): bump it whenever a
 * record, a map's key or value, or the meaning of a counter changes, so that a recorder of another layout never
 * adopts this one's maps (it reads what it can, counts the rest as lost and starts fresh). */
#define FR_LAYOUT_VERSION 4

/* The one value of the meta map: what the pinned maps are, and who owns them now. Written by the recorder
 * (dev.flowrec.bpf.PinnedMeta mirrors it), never by the programs. All u64 so that no layout has padding. */
struct fr_meta {
	__u64 layout;          /* FR_LAYOUT_VERSION of the run that created the maps */
	__u64 max_flows;       /* the flow map's max_entries */
	__u64 ring_bytes;      /* the ring buffer's max_entries */
	__u64 pid;             /* the recorder that owns the maps now */
	__u64 ring_since_ns;   /* wall clock when the ring was created (before that run's RecorderStarted) */
	__u64 owner_since_ns;  /* wall clock when the owner took them (before its RecorderStarted) */
	__u64 base[FR_C_COUNT];/* the counters at the owner's baseline: its loss reports are counters - base */
};

/* Input of the sweep program, passed as its test-run packet data. */
struct fr_sweep_args {
	__u64 idle_ns;  /* flush and remove flows quiet for this long; 0 = all flows */
	__u64 reason;   /* FR_REASON_IDLE or FR_REASON_FINAL */
};

/* Sweep program return value: flows removed, with FR_SWEEP_INCOMPLETE set when it stopped
 * early because the ring buffer was nearly full (drain it, then sweep again). */
#define FR_SWEEP_INCOMPLETE (1 << 30)

#endif
