#!/usr/bin/env python3
"""Replays crafted Ethernet frames onto an interface through an AF_PACKET raw socket, byte for byte.

Usage: send_frames.py IFACE COUNT FRAME_FILE [MARKER_FILE]
Sends FRAME_FILE's bytes COUNT times, then MARKER_FILE's once, and prints one line per file:
"<sent> <errno name or ->". The kernel refuses some frames (shorter than an Ethernet header: EINVAL);
that is reported, not raised. Standard library only: scapy is not needed to replay bytes.
"""
import errno
import socket
import sys


def send(sock, path, count):
    with open(path, 'rb') as f:
        frame = f.read()
    sent, error = 0, None
    for _ in range(count):
        try:
            if sock.send(frame) == len(frame):
                sent += 1
        except OSError as e:
            error = errno.errorcode.get(e.errno, str(e.errno))
    print(sent, error or '-', flush=True)


def main():
    iface, count = sys.argv[1], int(sys.argv[2])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.bind((iface, 0))
    send(sock, sys.argv[3], count)
    if len(sys.argv) > 4:
        send(sock, sys.argv[4], 1)


if __name__ == '__main__':
    main()
