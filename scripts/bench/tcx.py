#!/usr/bin/env python3
"""TCX links for the benches (bpftool 7.1 and tc know nothing of them), through the bpf(2) syscall (x86_64):

  tcx.py attach PROG_PIN IFNAME ingress|egress LINK_PIN   BPF_LINK_CREATE of the pinned program on the interface's
                                                          TCX hook (first on it, as the recorder attaches), the link
                                                          pinned at LINK_PIN (remove the pin to detach)
  tcx.py query IFNAME ingress|egress                      the ids of the programs on the hook, one a line

Run inside the interface's network namespace (ip netns exec). Exit status 3 when the kernel has no TCX (EINVAL).
"""
import ctypes
import errno
import os
import socket
import struct
import sys

SYS_BPF = 321
BPF_OBJ_PIN, BPF_OBJ_GET, BPF_PROG_QUERY, BPF_LINK_CREATE = 6, 7, 16, 28
HOOKS = {"ingress": 46, "egress": 47}  # BPF_TCX_INGRESS, BPF_TCX_EGRESS
BPF_F_BEFORE = 1 << 3
ATTR_SIZE = 128

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr, what):
    buf = ctypes.create_string_buffer(bytes(attr).ljust(ATTR_SIZE, b"\0"), ATTR_SIZE)
    rc = libc.syscall(SYS_BPF, cmd, buf, ATTR_SIZE)
    if rc < 0:
        err = ctypes.get_errno()
        print(f"tcx.py: {what}: {os.strerror(err)} (errno {err})", file=sys.stderr)
        sys.exit(3 if err == errno.EINVAL and cmd in (BPF_LINK_CREATE, BPF_PROG_QUERY) else 1)
    return rc, buf


def path_attr(path, fd=0):
    p = ctypes.create_string_buffer(path.encode())
    return p, struct.pack("=QII", ctypes.addressof(p), fd, 0)


def main(argv):
    if len(argv) == 5 and argv[0] == "attach" and argv[3] in HOOKS:
        keep, attr = path_attr(argv[1])
        prog, _ = bpf(BPF_OBJ_GET, attr, "BPF_OBJ_GET " + argv[1])
        ifindex = socket.if_nametoindex(argv[2])
        link, _ = bpf(BPF_LINK_CREATE, struct.pack("=IIII", prog, ifindex, HOOKS[argv[3]], BPF_F_BEFORE),
                      f"BPF_LINK_CREATE tcx {argv[3]} on {argv[2]}")
        keep, attr = path_attr(argv[4], link)
        bpf(BPF_OBJ_PIN, attr, "BPF_OBJ_PIN " + argv[4])
        return 0
    if len(argv) == 3 and argv[0] == "query" and argv[2] in HOOKS:
        ids = (ctypes.c_uint32 * 64)()
        attr = struct.pack("=IIIIQI", socket.if_nametoindex(argv[1]), HOOKS[argv[2]], 0, 0, ctypes.addressof(ids), 64)
        _, buf = bpf(BPF_PROG_QUERY, attr, f"BPF_PROG_QUERY tcx {argv[2]} on {argv[1]}")
        count = struct.unpack_from("=I", buf.raw, 24)[0]
        for i in range(count):
            print(ids[i])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
