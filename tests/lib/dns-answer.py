#!/usr/bin/env python3
"""A DNS server for tests: answers every A query for any name with one address.

    dns-answer.py LISTEN_ADDRESS ANSWER_ADDRESS

Listens on LISTEN_ADDRESS, UDP port 53, until killed; prints "ready" once
bound. Other query types get an empty answer. Enough for a resolver that
asks for A records (busybox's wget), not a general DNS server.
"""
import socket
import struct
import sys

listen, answer = sys.argv[1], socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((listen, 53))
print("ready", flush=True)
while True:
    query, peer = s.recvfrom(512)
    if len(query) < 17:
        continue
    qid = struct.unpack(">H", query[:2])[0]
    # The question: its labels up to the empty one, then type and class.
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    question = query[12:end + 5]
    qtype = struct.unpack(">H", query[end + 1:end + 3])[0] if end + 3 <= len(query) else 0
    record = b""
    if qtype == 1:
        # A pointer to the name in the question, type A, class IN, TTL 60, 4 bytes.
        record = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + answer
    header = struct.pack(">HHHHHH", qid, 0x8180, 1, 1 if record else 0, 0, 0)
    s.sendto(header + question + record, peer)
