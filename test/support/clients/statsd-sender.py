"""Sends statsd metrics to Orzo with the statsd Python client (Debian's python3-statsd).

Usage: statsd-sender.py PORT

Counters `hits` (1 five times, then 10: 15 in all), a gauge `temperature` (set to 50, then
changed by +5 and -2: 53), three timings of `latency` (12, 30 and 7 ms), a set `visitors`
(alice, bob, alice: 2 distinct) and a pipeline packing two counters `batched` (2 and 3) into
one datagram.
"""
import sys

import statsd

client = statsd.StatsClient("127.0.0.1", int(sys.argv[1]))
for _ in range(5):
    client.incr("hits")
client.incr("hits", 10)
client.gauge("temperature", 50)
client.gauge("temperature", 5, delta=True)
client.gauge("temperature", -2, delta=True)
for milliseconds in (12, 30, 7):
    client.timing("latency", milliseconds)
for visitor in ("alice", "bob", "alice"):
    client.set("visitors", visitor)
with client.pipeline() as pipe:
    pipe.incr("batched", 2)
    pipe.incr("batched", 3)
