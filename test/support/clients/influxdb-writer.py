"""Writes points to Orzo with the InfluxDB Python client (Debian's python3-influxdb).

Usage: influxdb-writer.py PORT DATABASE HOST_PREFIX [gzip]

Pings, creates the database, then writes 30 points of `cpu` (host PREFIX1, cpu cpu0) 10 s apart
from 2026-01-01T00:00:00Z in nanoseconds, in batches of 10, and 3 points of `mem` (host PREFIX2)
in seconds. Prints the server version the ping returned.
"""
import sys

from influxdb import InfluxDBClient

port, database, prefix = int(sys.argv[1]), sys.argv[2], sys.argv[3]
client = InfluxDBClient(
    host="127.0.0.1",
    port=port,
    username="admin",
    password="",
    database=database,
    path="v1/influxdb",
    gzip=len(sys.argv) > 4 and sys.argv[4] == "gzip",
)
print(client.ping())
client.create_database(database)
T0 = 1767225600
cpu = [
    {
        "measurement": "cpu",
        "tags": {"host": prefix + "1", "cpu": "cpu0"},
        "time": (T0 + 10 * i) * 10**9,
        "fields": {"usage_user": float(i), "processes": i, "state": "ok"},
    }
    for i in range(30)
]
client.write_points(cpu, time_precision="n", batch_size=10)
mem = [
    {
        "measurement": "mem",
        "tags": {"host": prefix + "2"},
        "time": T0 + 60 * i,
        "fields": {"free": 100.0 + i},
    }
    for i in range(3)
]
client.write_points(mem, time_precision="s")
