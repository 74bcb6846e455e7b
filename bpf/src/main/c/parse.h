/* Header parsing: Ethernet, up to two VLAN tags, IPv4 (options, fragments), IPv6 (extension
 * headers, fragments), TCP, UDP, ICMP, ICMPv6, any other protocol by number. Reads through
 * bpf_skb_load_bytes so that non-linear (GSO/GRO) skbs parse the same as linear ones. */
#ifndef FLOWREC_PARSE_H
#define FLOWREC_PARSE_H

#define ETH_P_8021Q_  0x8100
#define ETH_P_8021AD_ 0x88A8
#define IP_MF_        0x2000
#define IP_OFFSET_    0x1FFF
#define MAX_VLAN      2
#define MAX_V6_EXT    6

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

/* Reads the ports (or ICMP type/code) and TCP flags; returns the L4 header length counted in
 * each GSO segment (0 for protocols GSO never splits), or -1 when the header is cut short. */
static __always_inline int parse_l4(struct __sk_buff *skb, __u32 off, __u8 proto,
				    struct fr_flow_key *key, struct pkt *p)
{
	switch (proto) {
	case IPPROTO_TCP: {
		__u8 h[14];
		if (bpf_skb_load_bytes(skb, off, h, sizeof(h)) < 0)
			return -1;
		key->sport = (h[0] << 8) | h[1];
		key->dport = (h[2] << 8) | h[3];
		p->tcp_flags = h[13];
		return (h[12] >> 4) * 4;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: {
		__u8 h[4];
		if (bpf_skb_load_bytes(skb, off, h, sizeof(h)) < 0)
			return -1;
		key->sport = (h[0] << 8) | h[1];
		key->dport = (h[2] << 8) | h[3];
		return 8;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 h[2];
		if (bpf_skb_load_bytes(skb, off, h, sizeof(h)) < 0)
			return -1;
		key->dport = (h[0] << 8) | h[1];
		return 0;
	}
	default:
		return 0;
	}
}

/* NetFlow counting: a GSO skb counts as gso_segs wire packets, each carrying its own copy of
 * the L3+L4 headers; otherwise the IP header's own length is the wire length (no L2 padding). */
static __always_inline void count_wire(struct __sk_buff *skb, __u32 l3_off, __u32 ip_len, int hdr_len, struct pkt *p)
{
	__u32 segs = skb->gso_segs;
	if (segs > 1) {
		p->segs = segs;
		p->bytes = (skb->len - l3_off) + (__u64)(segs - 1) * (hdr_len > 0 ? hdr_len : 0);
	} else {
		p->segs = 1;
		p->bytes = ip_len ? ip_len : skb->len - l3_off;
	}
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, __u32 off, struct fr_flow_key *key, struct pkt *p)
{
	struct iphdr ip;
	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) < 0 || ip.version != 4 || ip.ihl < 5)
		return -1;
	__u32 ihl = ip.ihl * 4;
	key->family = 4;
	key->proto = ip.protocol;
	key->src[10] = 0xff;
	key->src[11] = 0xff;
	key->dst[10] = 0xff;
	key->dst[11] = 0xff;
	__builtin_memcpy(&key->src[12], &ip.saddr, 4);
	__builtin_memcpy(&key->dst[12], &ip.daddr, 4);
	int l4 = 0;
	/* Non-first fragments carry no L4 header: they count under ports 0. */
	if (!(bpf_ntohs(ip.frag_off) & IP_OFFSET_)) {
		l4 = parse_l4(skb, off + ihl, ip.protocol, key, p);
		if (l4 < 0)
			return -1;
	}
	count_wire(skb, off, bpf_ntohs(ip.tot_len), ihl + l4, p);
	return 0;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, __u32 off, struct fr_flow_key *key, struct pkt *p)
{
	struct ipv6hdr ip6;
	if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)) < 0 || ip6.version != 6)
		return -1;
	key->family = 6;
	__builtin_memcpy(key->src, &ip6.saddr, 16);
	__builtin_memcpy(key->dst, &ip6.daddr, 16);
	__u8 nh = ip6.nexthdr;
	__u32 l4off = off + sizeof(ip6);
	int first_fragment = 1;
#pragma unroll
	for (int i = 0; i < MAX_V6_EXT; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
			struct v6_opt_ o;
			if (bpf_skb_load_bytes(skb, l4off, &o, sizeof(o)) < 0)
				return -1;
			nh = o.nexthdr;
			l4off += (o.len + 1) * 8;
		} else if (nh == IPPROTO_AH) {
			struct v6_opt_ o;
			if (bpf_skb_load_bytes(skb, l4off, &o, sizeof(o)) < 0)
				return -1;
			nh = o.nexthdr;
			l4off += (o.len + 2) * 4;
		} else if (nh == IPPROTO_FRAGMENT) {
			struct v6_frag_ f;
			if (bpf_skb_load_bytes(skb, l4off, &f, sizeof(f)) < 0)
				return -1;
			nh = f.nexthdr;
			l4off += sizeof(f);
			if (bpf_ntohs(f.frag_off) & 0xFFF8)
				first_fragment = 0;
		} else {
			break;
		}
	}
	key->proto = nh;
	int l4 = 0;
	if (first_fragment) {
		l4 = parse_l4(skb, l4off, nh, key, p);
		if (l4 < 0)
			return -1;
	}
	__u32 payload = bpf_ntohs(ip6.payload_len);
	count_wire(skb, off, payload ? payload + sizeof(ip6) : 0, (l4off - off) + l4, p);
	return 0;
}

/* Returns 0 for an IP packet (key and p filled), -1 otherwise (counted as non-IP or malformed).
 * TC programs see the Ethernet header; cgroup_skb programs start at the IP header. */
static __always_inline int parse(struct __sk_buff *skb, struct fr_flow_key *key, struct pkt *p, int has_l2)
{
	__u32 off = 0;
	__be16 proto = skb->protocol;
	if (!has_l2)
		goto l3;
	off = ETH_HLEN;
	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) < 0) {
		count(FR_C_MALFORMED, 1);
		return -1;
	}
#pragma unroll
	for (int i = 0; i < MAX_VLAN; i++) {
		if (proto != bpf_htons(ETH_P_8021Q_) && proto != bpf_htons(ETH_P_8021AD_))
			break;
		struct vlan_hdr_ vh;
		if (bpf_skb_load_bytes(skb, off, &vh, sizeof(vh)) < 0) {
			count(FR_C_MALFORMED, 1);
			return -1;
		}
		proto = vh.proto;
		off += sizeof(vh);
	}
l3:;
	int rc;
	if (proto == bpf_htons(ETH_P_IP))
		rc = parse_ipv4(skb, off, key, p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		rc = parse_ipv6(skb, off, key, p);
	else {
		count(FR_C_NON_IP, 1);
		return -1;
	}
	if (rc < 0)
		count(FR_C_MALFORMED, 1);
	return rc;
}

#endif
