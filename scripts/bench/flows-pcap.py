#!/usr/bin/env python3
"""Writes a pcap of N minimum-size Ethernet/IPv4/UDP frames, each one a distinct UDP 5-tuple:
   flows-pcap.py OUT N [SEED]
Sources 10.64.0.0/10 (one address per 64 k flows), source ports 1024..65535, destination 10.0.0.2:9
(discard). Frames are 60 bytes (18 bytes of payload), IP checksums correct, UDP checksum 0 (none).
Written with struct over one template frame: a million frames take a few seconds, no scapy per packet."""
import struct
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: flows-pcap.py OUT N")
    out, n = sys.argv[1], int(sys.argv[2])
    if not 1 <= n <= 60_000_000:
        sys.exit("flows-pcap.py: N must be 1..60000000")
    dst_mac = bytes.fromhex("020000000002")
    src_mac = bytes.fromhex("020000000001")
    payload = b"flowrec-bench-1m.."  # 18 bytes: 14 + 20 + 8 + 18 = 60
    ip_len = 20 + 8 + len(payload)
    dst_ip = bytes([10, 0, 0, 2])
    ports_per_src = 65535 - 1024 + 1
    # IPv4 header words except the source address and the checksum: summed once.
    base = (0x4500 + ip_len + 0 + 0x4000 + (64 << 8 | 17)
            + (dst_ip[0] << 8 | dst_ip[1]) + (dst_ip[2] << 8 | dst_ip[3]))
    rec_hdr = struct.Struct("<IIII")
    eth = dst_mac + src_mac + b"\x08\x00"
    buf = bytearray()
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            s = 0x0A400000 + i // ports_per_src   # 10.64.0.0 + k
            sport = 1024 + i % ports_per_src
            c = base + (s >> 16) + (s & 0xFFFF)
            c = (c & 0xFFFF) + (c >> 16)
            c = (c & 0xFFFF) + (c >> 16)
            ip = struct.pack("!BBHHHBBHI4s", 0x45, 0, ip_len, 0, 0x4000, 64, 17, ~c & 0xFFFF, s, dst_ip)
            udp = struct.pack("!HHHH", sport, 9, 8 + len(payload), 0)
            frame = eth + ip + udp + payload
            buf += rec_hdr.pack(i // 1_000_000, i % 1_000_000, len(frame), len(frame))
            buf += frame
            if len(buf) >= 1 << 22:
                f.write(buf)
                buf.clear()
        f.write(buf)


if __name__ == "__main__":
    main()
