// SPDX-License-Identifier: GPL-2.0
/* flowrec: counts every one-way flow seen by TC clsact ingress/egress and streams deltas
 * through a ring buffer. Never changes traffic: every entry point returns TC_ACT_UNSPEC. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "flowrec.h"

char LICENSE[] SEC("license") = "GPL";

/* Load-time knob: 0 = packet mode (one event per packet, the flow map is not used). */
volatile const __u64 cfg_flush_interval_ns = 1000000000ULL;

/* Load-time knob: 0 = no DNS capture (record --dns off): no payload byte ever leaves the kernel. */
volatile const __u64 cfg_dns = 1;

/* Load-time knob: 0 = no process attribution (record --no-owners): no flow entry looks for its socket's owner. */
volatile const __u64 cfg_owners = 1;

/* Load-time knob: 0 = headers are always copied with bpf_skb_load_bytes. The loader sets it to 0 unless the process
 * has CAP_PERFMON or CAP_SYS_ADMIN: reading in place adds a variable offset to a packet pointer, which the verifier
 * refuses to a process with only CAP_BPF and CAP_NET_ADMIN; with 0 it prunes the in-place branch unverified. */
volatile const __u64 cfg_in_place = 1;

/* Entries are freed through RCU (no prealloc), so a CPU still holding a pointer to a flow the
 * sweeper removed reads its DEAD bit instead of another flow's counters. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536); /* --max-flows, set before load */
	__type(key, struct fr_flow_key);
	__type(value, struct fr_flow_state);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* set before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FR_C_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct pkt {
	__u64 segs;   /* wire packets */
	__u64 bytes;  /* layer-3 bytes on the wire */
	__u8  tcp_flags;
	__u32 payload_off; /* TCP and UDP: where the L4 payload starts and the IP packet ends */
	__u32 payload_end;
};

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);
	if (c)
		*c += n; /* per-CPU: no other writer */
}

#include "parse.h"

/* Who owns each socket (struct fr_owner), kept with the socket and freed with it. Written by the cgroup sock
 * programs below in process context, where the current task is certainly the socket's user; an accepted
 * socket, created in softirq, is cloned from its listener's (BPF_F_CLONE). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct fr_owner);
} owners SEC(".maps");

/* Names sk's owner after the current task; creates the storage when create is set. Always allows. */
static __always_inline int own(void *sk, int create)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct fr_owner *o = bpf_sk_storage_get(&owners, sk, 0, create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	if (!o || o->tid == (__u32)pid_tgid)
		return 1; /* the same thread again (a datagram after another): nothing new to say */
	o->tgid = pid_tgid >> 32;
	o->tid = (__u32)pid_tgid;
	o->cgroup_id = bpf_get_current_cgroup_id();
	o->netns_ino = 0;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
	return 1;
}

SEC("cgroup/sock_create")
int flowrec_sock_create(struct bpf_sock *sk)
{
	return own(sk, 1);
}

SEC("cgroup/post_bind4")
int flowrec_post_bind4(struct bpf_sock *sk)
{
	return own(sk, 1);
}

SEC("cgroup/post_bind6")
int flowrec_post_bind6(struct bpf_sock *sk)
{
	return own(sk, 1);
}

SEC("cgroup/connect4")
int flowrec_connect4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	return sk ? own(sk, 1) : 1;
}

SEC("cgroup/connect6")
int flowrec_connect6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	return sk ? own(sk, 1) : 1;
}

SEC("cgroup/sendmsg4")
int flowrec_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	return sk ? own(sk, 1) : 1;
}

SEC("cgroup/sendmsg6")
int flowrec_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	return sk ? own(sk, 1) : 1;
}

/* The consumer polls on a bounded timer: a wakeup per record costs more than it saves. */
#define SUBMIT_FLAGS BPF_RB_NO_WAKEUP

static __always_inline void lost(__u64 packets, __u64 bytes)
{
	count(FR_C_RB_LOST_EVENTS, 1);
	count(FR_C_RB_LOST_PACKETS, packets);
	count(FR_C_RB_LOST_BYTES, bytes);
}

static __always_inline void fill(struct fr_flow_event *e, const struct fr_flow_key *key, __u8 flags,
				 __u8 reason, __u64 packets, __u64 bytes, __u64 first, __u64 last)
{
	__builtin_memcpy(&e->key, key, sizeof(*key));
	e->tcp_flags = flags;
	e->reason = reason;
	e->pad = 0;
	e->packets = packets;
	e->bytes = bytes;
	e->first_ns = first;
	e->last_ns = last;
}

/* Emits one packet as a delta of its own (packet mode, map full, sweeper race). */
static __attribute__((noinline)) void emit_alone(const struct fr_flow_key *key, const struct pkt *p, __u64 now, __u8 reason)
{
	struct fr_flow_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lost(p->segs, p->bytes);
		return;
	}
	fill(e, key, p->tcp_flags, reason, p->segs, p->bytes, now, now);
	bpf_ringbuf_submit(e, SUBMIT_FLAGS);
}

/* Takes the flow's delta and emits it. Only the CPU that moves last_flush_ns forward flushes;
 * a CPU that loses that race leaves its packets for the next flush. */
static __attribute__((noinline)) void flush(struct fr_flow_state *v, const struct fr_flow_key *key, __u64 now, __u8 reason)
{
	__u64 lf = v->last_flush_ns;
	if (__sync_val_compare_and_swap(&v->last_flush_ns, lf, now) != lf)
		return;
	__u64 taken = __sync_fetch_and_and(&v->ctr, FR_CTR_DEAD);
	if (taken & FR_CTR_DEAD)
		return; /* the sweeper took the delta; counts added since belong to their own packets */
	if (!taken)
		return;
	__u64 packets = (taken >> FR_CTR_PKT_SHIFT) & FR_CTR_PKT_MASK;
	__u64 bytes = taken & FR_CTR_BYTES_MASK;
	__u64 flags = __sync_fetch_and_and(&v->tcp_flags, 0);
	struct fr_flow_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* Put the delta back for a later flush; lost only if the sweeper took the flow meanwhile. */
		__u64 old = __sync_fetch_and_add(&v->ctr, taken);
		__sync_fetch_and_or(&v->tcp_flags, flags);
		if (old & FR_CTR_DEAD)
			lost(packets, bytes);
		else
			count(FR_C_RB_DEFERRED, 1);
		return;
	}
	fill(e, key, flags, reason, packets, bytes, v->first_ns ? v->first_ns : v->last_ns, v->last_ns);
	v->first_ns = 0; /* the next packet starts the next delta */
	bpf_ringbuf_submit(e, SUBMIT_FLAGS);
}

/* ---- sockets made before the recorder: an iterator over every task's files, run once at start ---- */

/* The kernel types the iterator reads, as far as it reads them: the loader relocates each field against the
 * running kernel's BTF (CO-RE), so no layout of this header is assumed. */
struct bpf_iter_meta {
	void *seq;
} __attribute__((preserve_access_index));

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

struct socket {
	struct sock *sk;
} __attribute__((preserve_access_index));

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __attribute__((preserve_access_index));

struct sock_common;
struct udp_sock;

struct bpf_iter__tcp {
	struct bpf_iter_meta *meta;
	struct sock_common *sk_common;
} __attribute__((preserve_access_index));

struct bpf_iter__udp {
	struct bpf_iter_meta *meta;
	struct udp_sock *udp_sk;
} __attribute__((preserve_access_index));

/* The walk's first pass: socket (its struct sock's address, a number here) → the first task found holding it. The
 * verifier lets a task_file iterator read that address but not use it as a socket, which the tcp and udp
 * iterators then do. The map dies with the run: a later walk, in a later run, starts from an empty one. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct fr_owner);
} holders SEC(".maps");

/* Pass 1: every task's sockets, the first holder of each (for a socket shared across fork, whichever of them the
 * walk meets first). */
SEC("iter/task_file")
int flowrec_holders_iter(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file)
		return 0;
	struct socket *sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	__u64 sk = (__u64)sock->sk;
	if (!sk)
		return 0;
	struct fr_owner o = {
		.tgid = task->tgid,
		.tid = task->pid,
		.cgroup_id = task->cgroups->dfl_cgrp->kn->id,
	};
	__builtin_memcpy(o.comm, task->comm, sizeof(o.comm));
	bpf_map_update_elem(&holders, &sk, &o, BPF_NOEXIST);
	return 0;
}

/* Pass 2: a socket with no owner yet (made before the owner programs were attached) gets its first holder's. */
static __always_inline void adopt_holder(void *sk)
{
	__u64 key = (__u64)sk;
	struct fr_owner *h = bpf_map_lookup_elem(&holders, &key);
	if (!h || bpf_sk_storage_get(&owners, sk, 0, 0))
		return;
	struct fr_owner *o = bpf_sk_storage_get(&owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (o)
		__builtin_memcpy(o, h, sizeof(*o));
}

SEC("iter/tcp")
int flowrec_tcp_owners_iter(struct bpf_iter__tcp *ctx)
{
	struct sock_common *sk = ctx->sk_common;
	if (sk)
		adopt_holder(sk);
	return 0;
}

SEC("iter/udp")
int flowrec_udp_owners_iter(struct bpf_iter__udp *ctx)
{
	struct udp_sock *sk = ctx->udp_sk;
	if (sk)
		adopt_holder(sk);
	return 0;
}

/* The owner of the local socket that receives the flow's packets, looked up by the packet's tuple in the
 * current network namespace (TC ingress runs before the stack assigns a socket). */
static __always_inline struct fr_owner *receiver(struct __sk_buff *skb, const struct fr_flow_key *key)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = 0;
	if (key->family == 4) {
		__builtin_memcpy(&t.ipv4.saddr, &key->src[12], 4);
		__builtin_memcpy(&t.ipv4.daddr, &key->dst[12], 4);
		t.ipv4.sport = bpf_htons(key->sport);
		t.ipv4.dport = bpf_htons(key->dport);
		if (key->proto == IPPROTO_TCP)
			sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
		else if (key->proto == IPPROTO_UDP)
			sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	} else {
		__builtin_memcpy(t.ipv6.saddr, key->src, 16);
		__builtin_memcpy(t.ipv6.daddr, key->dst, 16);
		t.ipv6.sport = bpf_htons(key->sport);
		t.ipv6.dport = bpf_htons(key->dport);
		if (key->proto == IPPROTO_TCP)
			sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
		else if (key->proto == IPPROTO_UDP)
			sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	}
	if (!sk)
		return 0;
	/* Only a socket bound to this very flow receives it for certain. A listener or an unconnected datagram socket on
	 * a wildcard address matches any packet to its port, also one that a DNAT will send on to a container or that
	 * is forwarded (a published port's docker-proxy, a host daemon on a container's port): not named from those.
	 * A TCP entry looks again on its next packets, by when the connection's own socket exists. */
	int own = key->proto == IPPROTO_TCP ? sk->state != BPF_TCP_LISTEN :
		sk->dst_port != 0 || sk->src_ip4 != 0 || sk->src_ip6[0] != 0 || sk->src_ip6[1] != 0 ||
		sk->src_ip6[2] != 0 || sk->src_ip6[3] != 0;
	/* The storage outlives the reference: it is freed through RCU, and this program runs under it. */
	struct fr_owner *o = own ? bpf_sk_storage_get(&owners, sk, 0, 0) : 0;
	bpf_sk_release(sk);
	return o;
}

/* At a new flow entry: hands the owner of its local socket to user space, ahead of the flow's first delta. The
 * sending socket is the skb's own (a request socket stands for its listener); without one, the receiving socket.
 * A cgroup's ingress skb carries the receiving socket instead. */
static __attribute__((noinline)) int announce_owner(struct __sk_buff *skb, const struct fr_flow_key *key, int cgroup,
	__u64 since, int last_try)
{
	struct fr_owner *o = 0;
	__u8 side = FR_SIDE_SENDER;
	struct bpf_sock *sk = skb->sk;
	if (sk) {
		struct bpf_sock *full = bpf_sk_fullsock(sk);
		if (!full)
			full = bpf_get_listener_sock(sk);
		if (full)
			o = bpf_sk_storage_get(&owners, full, 0, 0);
		if (cgroup && key->direction == FR_DIR_IN)
			side = FR_SIDE_RECEIVER;
	} else {
		o = receiver(skb, key);
		side = FR_SIDE_RECEIVER;
	}
	if (!o) {
		if (last_try)
			count(FR_C_OWNER_NONE, 1);
		return 0;
	}
	struct fr_owner_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(FR_C_OWNER_NONE, 1);
		return 1; /* found, but the ring is full: counted as a flow without owner, not looked for again */
	}
	__builtin_memcpy(&e->key, key, sizeof(*key));
	e->side = side;
	e->pad[0] = 0;
	e->pad[1] = 0;
	e->pad[2] = 0;
	e->tgid = o->tgid;
	e->tid = o->tid;
	e->cgroup_id = o->cgroup_id;
	e->netns_ino = o->netns_ino;
	e->time_ns = since;
	__builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, SUBMIT_FLAGS);
	count(FR_C_OWNER_FOUND, 1);
	return 1;
}

/* Packets of a TCP entry on which its owner is looked for again: a connection from off the host meets only the
 * listener on its SYN and on the handshake's last ACK; its own socket exists from the next packet. */
#define FR_OWNER_TRIES 4

/* What the pinned maps are and who owns them (struct fr_meta): read and written by the recorder only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fr_meta);
} meta SEC(".maps");

/* cgroup id → the pseudo-ifindex the recorder gave that cgroup (an InterfaceAttached event names it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} cgroups SEC(".maps");

/* Sightings of the host's DNS queries not yet answered (struct fr_dns_query_key → sightings): a query that
 * crosses two recorded interfaces unchanged (a container's on its veth and the NIC, no NAT) is seen twice, and so is
 * its response. LRU: a flood of queries nobody answers pushes out the oldest instead of failing an insert. Not
 * pinned: a query asked while no recorder runs, or just before a restart, has its response counted unsolicited. */
#define FR_DNS_SIGHTINGS 4

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct fr_dns_query_key);
	__type(value, __u64);
} dns_queries SEC(".maps");

/* Remembers a DNS query the host asks (to port 53, QR clear) and hands a response (from port 53, QR set: the QR bit
 * after the 2-byte length prefix over TCP) to user space (struct fr_dns_event) only when it answers a remembered
 * query: same client address and port, server address, protocol and transaction id. Each sighting of a response
 * uses up one of its query's; the rest are counted (DNS_UNSOLICITED) and never reserve a record. Over TCP each query
 * and each response is matched by its own id, but only as the first message of its segment: a second query in one
 * segment is not remembered, and the later segments of a response spread over several are not handed over. When
 * the ring is full a response is not kept, and counted (DNS_LOST). */
static __attribute__((noinline)) void capture_dns(struct __sk_buff *skb, const struct fr_flow_key *key,
	const struct pkt *p, __u64 now)
{
	if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP)
		return;
	__u32 off = p->payload_off;
	__u32 end = p->payload_end;
	__u32 prefix = key->proto == IPPROTO_TCP ? 2 : 0;
	if (off >= end || end - off < prefix + 12)
		return; /* no DNS header: a bare TCP segment, or not DNS */
	__u8 head[4]; /* transaction id, then the flags' first byte (QR is its top bit) */
	if (bpf_skb_load_bytes(skb, off + prefix, head, 3) < 0)
		return;
	int response = key->sport == FR_DNS_PORT && (head[2] & 0x80);
	if (!response && (key->dport != FR_DNS_PORT || (head[2] & 0x80)))
		return;
	struct fr_dns_query_key q = {};
	if (response) {
		__builtin_memcpy(q.client, key->dst, sizeof(q.client));
		__builtin_memcpy(q.server, key->src, sizeof(q.server));
		q.client_port = key->dport;
	} else {
		__builtin_memcpy(q.client, key->src, sizeof(q.client));
		__builtin_memcpy(q.server, key->dst, sizeof(q.server));
		q.client_port = key->sport;
	}
	__builtin_memcpy(&q.id, head, sizeof(q.id));
	q.proto = key->proto;
	__u64 *sightings = bpf_map_lookup_elem(&dns_queries, &q);
	if (!response) {
		if (!sightings) {
			__u64 one = 1;
			bpf_map_update_elem(&dns_queries, &q, &one, BPF_NOEXIST);
		} else if (*sightings < FR_DNS_SIGHTINGS) {
			__sync_fetch_and_add(sightings, 1);
		}
		return;
	}
	__u64 left = sightings ? __sync_fetch_and_add(sightings, -1) : 0;
	if (sightings && left <= 1)
		bpf_map_delete_elem(&dns_queries, &q);
	if (left < 1 || left > FR_DNS_SIGHTINGS) {
		count(FR_C_DNS_UNSOLICITED, 1); /* nobody here asked it (or another CPU took the last sighting) */
		return;
	}
	struct fr_dns_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(FR_C_DNS_LOST, 1);
		return;
	}
	__u32 wire = end - off;
	__u32 n = wire < FR_DNS_CAPTURE ? wire : FR_DNS_CAPTURE;
	__builtin_memcpy(&e->key, key, sizeof(*key));
	e->wire_length = wire > 0xFFFF ? 0xFFFF : wire;
	e->time_ns = now;
	e->netns_cookie = bpf_get_netns_cookie(skb);
	if (n < 1 || n > FR_DNS_CAPTURE || bpf_skb_load_bytes(skb, off, e->payload, n) < 0)
		n = 0;
	e->length = n;
	bpf_ringbuf_submit(e, SUBMIT_FLAGS);
}

static __always_inline void handle(struct __sk_buff *skb, __u8 direction, int cgroup)
{
	struct fr_flow_key key = {};
	struct pkt p = {};
	if (parse(skb, &key, &p, !cgroup) < 0)
		return;
	key.direction = direction;
	if (cgroup) {
		/* A cgroup's flows are its own: counted under its pseudo-ifindex, apart from the NIC's. */
		__u64 id = bpf_skb_cgroup_id(skb);
		__u32 *pseudo = bpf_map_lookup_elem(&cgroups, &id);
		key.ifindex = pseudo ? *pseudo : 0;
	} else {
		key.ifindex = skb->ifindex;
	}

	__u64 now = bpf_ktime_get_boot_ns();
	count(FR_C_PACKETS_SEEN, p.segs);
	count(FR_C_BYTES_SEEN, p.bytes);
	if (cfg_dns && (key.sport == FR_DNS_PORT || key.dport == FR_DNS_PORT))
		capture_dns(skb, &key, &p, now);

	if (cfg_flush_interval_ns == 0) {
		emit_alone(&key, &p, now, FR_REASON_PACKET);
		return;
	}

	struct fr_flow_state *v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		struct fr_flow_state init = { .first_ns = now, .last_ns = now };
		long err = bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		if (err == 0 && cfg_owners) {
			/* before the entry's first delta: a reader meets it first */
			int retry = key.proto == IPPROTO_TCP && !skb->sk;
			if (!announce_owner(skb, &key, cgroup, now, !retry) && retry) {
				struct fr_flow_state *created = bpf_map_lookup_elem(&flows, &key);
				if (created) {
					created->owner_since_ns = now;
					created->owner_tries = FR_OWNER_TRIES;
				}
			}
		}
		if (err == 0 || err == -17 /* EEXIST: another CPU inserted it */)
			v = bpf_map_lookup_elem(&flows, &key);
		if (!v) {
			count(FR_C_MAP_FULL, 1);
			emit_alone(&key, &p, now, FR_REASON_MAP_FULL);
			return;
		}
	} else if (v->owner_tries && cfg_owners) {
		__u64 tries = __sync_fetch_and_add(&v->owner_tries, -1);
		if (tries < 1 || tries > FR_OWNER_TRIES)
			v->owner_tries = 0; /* another CPU took the last try */
		else if (announce_owner(skb, &key, cgroup, v->owner_since_ns, tries == 1))
			v->owner_tries = 0;
	}

	__u64 old = __sync_fetch_and_add(&v->ctr, (p.segs << FR_CTR_PKT_SHIFT) | p.bytes);
	if (old & FR_CTR_DEAD) {
		emit_alone(&key, &p, now, FR_REASON_RACE);
		return;
	}
	if (!v->first_ns)
		v->first_ns = now;
	v->last_ns = now;
	if (p.tcp_flags & ~v->tcp_flags)
		__sync_fetch_and_or(&v->tcp_flags, p.tcp_flags);

	__u64 ctr = old + ((p.segs << FR_CTR_PKT_SHIFT) | p.bytes);
	__u8 reason = 0;
	if (!v->last_flush_ns)
		reason = FR_REASON_FIRST;
	else if (p.tcp_flags & 0x05 /* FIN | RST */)
		reason = FR_REASON_FIN_RST;
	else if (now - v->last_flush_ns >= cfg_flush_interval_ns)
		reason = FR_REASON_INTERVAL;
	else if (((ctr >> FR_CTR_PKT_SHIFT) & FR_CTR_PKT_MASK) >= FR_CTR_PKT_LIMIT ||
		 (ctr & FR_CTR_BYTES_MASK) >= FR_CTR_BYTES_LIMIT)
		reason = FR_REASON_OVERFLOW;
	if (reason)
		flush(v, &key, now, reason);
	return;
}

SEC("tc")
int flowrec_ingress(struct __sk_buff *skb)
{
	handle(skb, FR_DIR_IN, 0);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int flowrec_egress(struct __sk_buff *skb)
{
	handle(skb, FR_DIR_OUT, 0);
	return TC_ACT_UNSPEC;
}

/* Containers on the host network have no veth: their cgroup's traffic is counted here instead. */
SEC("cgroup_skb/ingress")
int flowrec_cgroup_ingress(struct __sk_buff *skb)
{
	handle(skb, FR_DIR_IN, 1);
	return 1; /* allow */
}

SEC("cgroup_skb/egress")
int flowrec_cgroup_egress(struct __sk_buff *skb)
{
	handle(skb, FR_DIR_OUT, 1);
	return 1; /* allow */
}

/* ---- sweeper: run from user space with BPF_PROG_TEST_RUN; flushes and removes quiet flows ---- */

struct sweep_ctx {
	__u64 now;
	__u64 idle_ns;
	__u64 reason;
	__u32 removed;
	__u32 incomplete;
};

static long sweep_one(void *map, struct fr_flow_key *key, struct fr_flow_state *v, struct sweep_ctx *c)
{
	/* A packet counted on another CPU after this sweep read its clock leaves last_ns > now: that flow is
	 * as fresh as can be, not idle (unsigned, now - last_ns would wrap to a huge age). */
	__u64 last = v->last_ns;
	if (c->idle_ns && (last > c->now || c->now - last < c->idle_ns))
		return 0;
	/* Leave room for this flow's delta and for packets racing with us: a quarter of the ring, at most
	 * 64 records, so that even the smallest ring makes progress once drained. */
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	__u64 used = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 room = size / 4;
	if (room > 64 * (sizeof(struct fr_flow_event) + 8))
		room = 64 * (sizeof(struct fr_flow_event) + 8);
	if (used + room > size) {
		c->incomplete = 1;
		return 1;
	}
	/* Taking the counters and marking the flow dead is one exchange: a packet counted after it
	 * sees DEAD and emits itself, one counted before it is in this delta. */
	__u64 taken = __sync_lock_test_and_set(&v->ctr, FR_CTR_DEAD);
	if (!(taken & FR_CTR_DEAD) && taken) {
		__u64 packets = (taken >> FR_CTR_PKT_SHIFT) & FR_CTR_PKT_MASK;
		__u64 bytes = taken & FR_CTR_BYTES_MASK;
		__u8 flags = __sync_fetch_and_and(&v->tcp_flags, 0);
		struct fr_flow_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			fill(e, key, flags, (__u8)c->reason, packets, bytes, v->first_ns ? v->first_ns : v->last_ns, v->last_ns);
			bpf_ringbuf_submit(e, SUBMIT_FLAGS);
		} else {
			lost(packets, bytes);
		}
	}
	bpf_map_delete_elem(map, key);
	c->removed++;
	return 0;
}

SEC("tc")
int flowrec_sweep(struct __sk_buff *skb)
{
	struct fr_sweep_args args;
	if (bpf_skb_load_bytes(skb, 0, &args, sizeof(args)) < 0)
		return -1;
	struct sweep_ctx c = {
		.now = bpf_ktime_get_boot_ns(),
		.idle_ns = args.idle_ns,
		.reason = args.reason,
	};
	bpf_for_each_map_elem(&flows, sweep_one, &c, 0);
	return c.removed | (c.incomplete ? FR_SWEEP_INCOMPLETE : 0);
}
