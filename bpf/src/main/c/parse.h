/* Header parsing: Ethernet, up to two VLAN tags, IPv4 (options, fragments), IPv6 (up to six extension
 * headers, fragments), TCP, UDP, ICMP, ICMPv6, any other protocol by number. The TC programs read a header in place
 * when the skb's linear head holds it (direct packet access: no helper call, the common case) and the loader allows
 * it (cfg_in_place), else copy it with bpf_skb_load_bytes, so that non-linear (GSO/GRO) skbs parse the same as
 * linear ones; the cgroup_skb programs always copy.
 *
 * Hostile frames (bpf/HOSTILE.md has the table): every length field is checked against the bytes that
 * are really there. A packet is counted with the L3 bytes that crossed, min(IP length, L3 bytes in the
 * frame); a header that is cut short, or a length that contradicts the header it belongs to, makes the
 * frame MALFORMED; a chain longer than the parser follows makes it TOO_DEEP. Nothing is ever written. */
#ifndef FLOWREC_PARSE_H
#define FLOWREC_PARSE_H

#define ETH_P_8021Q_  0x8100
#define ETH_P_8021AD_ 0x88A8
#define IP_MF_        0x2000
#define IP_OFFSET_    0x1FFF
#define MAX_VLAN      2
#define MAX_V6_EXT    6

/* Outcomes of the L3 parsers besides 0 (a flow): the counter that takes the frame. */
#define PARSE_MALFORMED (-1)
#define PARSE_TOO_DEEP  (-2)

/* Beyond this offset a header is always copied: keeps the verifier's bounds on packet pointers simple. */
#define PEEK_MAX_OFF 0x3fff

/* The frame: its skb, whether headers may be read in place, and the linear head's bounds, read once (the verifier
 * wants them read straight from the context). */
struct frame {
	struct __sk_buff *skb;
	int in_place;
	void *data;
	void *data_end;
};

/* The len bytes of the frame at off (offset 0 is where bpf_skb_load_bytes starts: the Ethernet header for TC, the IP
 * header for cgroup_skb) into *out: in place when the frame may be read so (struct frame's in_place) and the linear
 * head holds them, else copied into buf. Returns -1 when the frame is shorter. *out is never compared with 0: the
 * verifier refuses comparing a packet pointer with a scalar to a process without CAP_PERFMON. Never writes to the
 * packet. */
static __always_inline int peek(const struct frame *f, __u32 off, void *buf, __u32 len, const void **out)
{
	if (f->in_place && off <= PEEK_MAX_OFF && f->data + off + len <= f->data_end) {
		*out = f->data + off;
		return 0;
	}
	if (bpf_skb_load_bytes(f->skb, off, buf, len) < 0)
		return -1;
	*out = buf;
	return 0;
}

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

struct v6_opt_ {
	__u8 nexthdr;
	__u8 len;
};

struct v6_frag_ {
	__u8   nexthdr;
	__u8   reserved;
	__be16 frag_off;
	__be32 id;
};

/* Reads the ports (or ICMP type/code) and TCP flags of the L4 header at off; end is where the IP packet
 * ends (its length, bounded by the frame). The fixed part of the header must fit before end: TCP 20 bytes
 * and a data offset from 20 to what is left, UDP 8, ICMP 8, ICMPv6 4. Returns the L4 header length counted
 * in each GSO segment (0 for protocols GSO never splits), or -1 when the header is cut short or bogus. */
static __always_inline int parse_l4(const struct frame *fr, __u32 off, __u32 end, __u8 proto,
				    struct fr_flow_key *key, struct pkt *p)
{
	switch (proto) {
	case IPPROTO_TCP: {
		__u8 buf[14];
		const __u8 *h;
		if (off + 20 > end || peek(fr, off, buf, sizeof(buf), (const void **)&h) < 0)
			return -1;
		__u32 doff = (h[12] >> 4) * 4;
		if (doff < 20 || off + doff > end)
			return -1;
		key->sport = (h[0] << 8) | h[1];
		key->dport = (h[2] << 8) | h[3];
		p->tcp_flags = h[13];
		p->payload_off = off + doff;
		p->payload_end = end;
		return doff;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: {
		__u8 buf[4];
		const __u8 *h;
		if (off + 8 > end || peek(fr, off, buf, sizeof(buf), (const void **)&h) < 0)
			return -1;
		key->sport = (h[0] << 8) | h[1];
		key->dport = (h[2] << 8) | h[3];
		p->payload_off = off + 8;
		p->payload_end = end;
		return 8;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 buf[2];
		const __u8 *h;
		/* RFC 792: type, code, checksum and a 4-byte word in every message; RFC 4443: type, code, checksum. */
		if (off + (proto == IPPROTO_ICMP ? 8 : 4) > end || peek(fr, off, buf, sizeof(buf), (const void **)&h) < 0)
			return -1;
		key->dport = (h[0] << 8) | h[1];
		return 0;
	}
	default:
		return 0;
	}
}

/* NetFlow counting: a GSO skb counts as gso_segs wire packets, each carrying its own copy of the L3+L4
 * headers; otherwise ip_len, the IP packet's length bounded by the frame (no L2 padding, no lies). */
static __always_inline void count_wire(struct __sk_buff *skb, __u32 l3_off, __u32 ip_len, int hdr_len, struct pkt *p)
{
	__u32 segs = skb->gso_segs;
	if (segs > 1) {
		p->segs = segs;
		p->bytes = (skb->len - l3_off) + (__u64)(segs - 1) * (hdr_len > 0 ? hdr_len : 0);
	} else {
		p->segs = 1;
		p->bytes = ip_len;
	}
}

static __always_inline int parse_ipv4(const struct frame *fr, __u32 off, struct fr_flow_key *key, struct pkt *p)
{
	struct __sk_buff *skb = fr->skb;
	struct iphdr buf;
	const struct iphdr *ip;
	if (peek(fr, off, &buf, sizeof(buf), (const void **)&ip) < 0 || ip->version != 4 || ip->ihl < 5)
		return PARSE_MALFORMED;
	__u32 ihl = ip->ihl * 4;
	__u32 len = skb->len - off; /* L3 bytes in the frame: at least 20, the load above succeeded */
	if (skb->gso_segs <= 1) {
		/* A GSO skb's tot_len may be 0 (BIG TCP); any other IPv4 packet's covers its own header. */
		__u32 tot_len = bpf_ntohs(ip->tot_len);
		if (tot_len < ihl)
			return PARSE_MALFORMED;
		if (tot_len < len)
			len = tot_len; /* the rest is L2 padding */
	}
	if (ihl > len)
		return PARSE_MALFORMED; /* options run past the packet */
	key->family = 4;
	key->proto = ip->protocol;
	key->src[10] = 0xff;
	key->src[11] = 0xff;
	key->dst[10] = 0xff;
	key->dst[11] = 0xff;
	__builtin_memcpy(&key->src[12], &ip->saddr, 4);
	__builtin_memcpy(&key->dst[12], &ip->daddr, 4);
	int l4 = 0;
	/* Non-first fragments carry no L4 header: they count under ports 0. */
	if (!(bpf_ntohs(ip->frag_off) & IP_OFFSET_)) {
		l4 = parse_l4(fr, off + ihl, off + len, ip->protocol, key, p);
		if (l4 < 0)
			return PARSE_MALFORMED;
	}
	count_wire(skb, off, len, ihl + l4, p);
	return 0;
}

static __always_inline int v6_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS || nh == IPPROTO_AH ||
	       nh == IPPROTO_FRAGMENT;
}

static __always_inline int parse_ipv6(const struct frame *fr, __u32 off, struct fr_flow_key *key, struct pkt *p)
{
	struct __sk_buff *skb = fr->skb;
	struct ipv6hdr buf;
	const struct ipv6hdr *ip6;
	if (peek(fr, off, &buf, sizeof(buf), (const void **)&ip6) < 0 || ip6->version != 6)
		return PARSE_MALFORMED;
	__u32 len = skb->len - off; /* L3 bytes in the frame: at least 40 */
	__u32 payload = bpf_ntohs(ip6->payload_len);
	/* payload_len 0 is a jumbogram (RFC 2675) or a BIG TCP GSO skb: the frame says how long it is. */
	if (skb->gso_segs <= 1 && payload && payload + sizeof(*ip6) < len)
		len = payload + sizeof(*ip6);
	__u32 end = off + len;
	key->family = 6;
	__builtin_memcpy(key->src, &ip6->saddr, 16);
	__builtin_memcpy(key->dst, &ip6->daddr, 16);
	__u8 nh = ip6->nexthdr;
	__u32 l4off = off + sizeof(*ip6);
	int later_fragment = 0;
#pragma unroll
	for (int i = 0; i < MAX_V6_EXT; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS || nh == IPPROTO_AH) {
			struct v6_opt_ obuf;
			const struct v6_opt_ *o;
			if (peek(fr, l4off, &obuf, sizeof(obuf), (const void **)&o) < 0)
				return PARSE_MALFORMED;
			l4off += nh == IPPROTO_AH ? (o->len + 2) * 4 : (o->len + 1) * 8;
			nh = o->nexthdr;
		} else if (nh == IPPROTO_FRAGMENT) {
			struct v6_frag_ fbuf;
			const struct v6_frag_ *f;
			if (peek(fr, l4off, &fbuf, sizeof(fbuf), (const void **)&f) < 0)
				return PARSE_MALFORMED;
			nh = f->nexthdr;
			l4off += sizeof(*f);
			/* What follows a later fragment's header is the middle of the payload, not a header. */
			if (bpf_ntohs(f->frag_off) & 0xFFF8) {
				later_fragment = 1;
				break;
			}
		} else {
			break;
		}
		if (l4off > end)
			return PARSE_MALFORMED; /* an extension header runs past the packet */
	}
	if (l4off > end)
		return PARSE_MALFORMED;
	if (!later_fragment && v6_ext(nh))
		return PARSE_TOO_DEEP;
	key->proto = nh;
	int l4 = 0;
	if (!later_fragment) {
		l4 = parse_l4(fr, l4off, end, nh, key, p);
		if (l4 < 0)
			return PARSE_MALFORMED;
	}
	count_wire(skb, off, len, (l4off - off) + l4, p);
	return 0;
}

/* Returns 0 for an IP packet (key and p filled), -1 otherwise, counted as NON_IP, MALFORMED or TOO_DEEP.
 * TC programs see the Ethernet header (on ingress the kernel has already moved the outermost VLAN tag
 * into skb metadata); cgroup_skb programs start at the IP header. */
static __always_inline int parse(struct __sk_buff *skb, struct fr_flow_key *key, struct pkt *p, int has_l2)
{
	/* cgroup_skb frames are only copied: their IP header starts at data, with no NET_IP_ALIGN shift to align its
	 * 4-byte fields, and __sk_buff.data is 32 bits wide there. */
	struct frame fr = { .skb = skb, .in_place = has_l2 && cfg_in_place, .data = (void *)(long)skb->data,
			    .data_end = (void *)(long)skb->data_end };
	__u32 off = 0;
	__be16 proto = skb->protocol;
	if (!has_l2)
		goto l3;
	off = ETH_HLEN;
	const __be16 *ethertype;
	if (peek(&fr, 12, &proto, sizeof(proto), (const void **)&ethertype) < 0) {
		count(FR_C_MALFORMED, 1);
		return -1;
	}
	proto = *ethertype;
#pragma unroll
	for (int i = 0; i < MAX_VLAN; i++) {
		if (proto != bpf_htons(ETH_P_8021Q_) && proto != bpf_htons(ETH_P_8021AD_))
			break;
		struct vlan_hdr_ vbuf;
		const struct vlan_hdr_ *vh;
		if (peek(&fr, off, &vbuf, sizeof(vbuf), (const void **)&vh) < 0) {
			count(FR_C_MALFORMED, 1);
			return -1;
		}
		proto = vh->proto;
		off += sizeof(*vh);
	}
	if (proto == bpf_htons(ETH_P_8021Q_) || proto == bpf_htons(ETH_P_8021AD_)) {
		count(FR_C_TOO_DEEP, 1);
		return -1;
	}
l3:;
	int rc;
	if (proto == bpf_htons(ETH_P_IP))
		rc = parse_ipv4(&fr, off, key, p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		rc = parse_ipv6(&fr, off, key, p);
	else {
		count(FR_C_NON_IP, 1);
		return -1;
	}
	if (rc == PARSE_TOO_DEEP) {
		count(FR_C_TOO_DEEP, 1);
		return -1;
	}
	if (rc < 0) {
		count(FR_C_MALFORMED, 1);
		return -1;
	}
	return 0;
}

#endif
