"""Plays Ceilometer's Gnocchi publisher against an endpoint, as Ceilometer calls gnocchiclient.

Ceilometer (ceilometer/publisher/gnocchi.py) creates its resource types at upgrade (a second
creation is a conflict it ignores), posts samples by resource with create_metrics=true, creates
the resources the server says are unknown and posts again, updates resource attributes that
changed, and searches resources (e.g. to end deleted instances). Prints what it saw as JSON.
Usage: ceilometer_publisher.py ENDPOINT
"""
import json
import sys
import time

from gnocchiclient import auth, exceptions
from gnocchiclient.v1 import client as gnocchi_client
from keystoneauth1 import session

ENDPOINT = sys.argv[1]
PROJECT = "8ae5d2a5d06a4f7d8e6e1b9b4d3f2a11"
USER = "5c3e6b9dbd8f4f1c9a4f6e8c2d1b0a99"

plugin = auth.GnocchiNoAuthPlugin(
    user_id="ceilometer", project_id="service", roles="service", endpoint=ENDPOINT
)
gnocchi = gnocchi_client.Client(session=session.Session(auth=plugin))
seen = {}

RESOURCE_TYPES = {
    "instance": {
        "flavor_id": {"type": "string", "min_length": 0, "max_length": 255, "required": True},
        "display_name": {"type": "string", "min_length": 0, "max_length": 255, "required": True},
        "host": {"type": "string", "min_length": 0, "max_length": 255, "required": True},
        "image_ref": {"type": "string", "min_length": 0, "max_length": 255, "required": False},
        "server_group": {"type": "string", "min_length": 0, "max_length": 255, "required": False},
        "launched_at": {"type": "datetime", "required": False},
    },
    "instance_disk": {
        "name": {"type": "string", "min_length": 0, "max_length": 255, "required": True},
        "instance_id": {"type": "uuid", "required": True},
    },
}

# 1. Resource types, at upgrade; a second upgrade meets a conflict it ignores.
for attempt in range(2):
    for name, attributes in RESOURCE_TYPES.items():
        try:
            gnocchi.resource_type.create({"name": name, "attributes": attributes})
        except exceptions.ResourceTypeAlreadyExists:
            seen.setdefault("type_conflicts", 0)
            seen["type_conflicts"] += 1

INSTANCES = [
    "0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d01",
    "0f0e1a3c-6c51-4b0e-9c58-5f8b7e2c1d02",
]


def resource(instance_id, host):
    return {
        "id": instance_id,
        "user_id": USER,
        "project_id": PROJECT,
        "flavor_id": "2",
        "display_name": "vm-" + instance_id[-2:],
        "host": host,
        "image_ref": "cirros",
        "launched_at": "2015-01-01T00:00:00",
        "started_at": "2015-01-01T00:00:00",
    }


def batch(minute):
    measures = {}
    for instance_id in INSTANCES:
        stamp = "2015-01-01T00:%02d:00" % minute
        measures[instance_id] = {
            "cpu": {"archive_policy_name": "low", "measures": [{"timestamp": stamp, "value": 10.0 * minute}]},
            "memory.usage": [{"timestamp": stamp, "value": 512.0}],
        }
    measures["disk-" + INSTANCES[0]] = {
        "disk.device.read.bytes": [{"timestamp": "2015-01-01T00:00:00", "value": 1.0}],
    }
    return measures


def publish(minute):
    """Ceilometer's _batch_measures: on Unknown resources, create them, then post again."""
    measures = batch(minute)
    try:
        gnocchi.metric.batch_resources_metrics_measures(measures, create_metrics=True)
        return
    except exceptions.BadRequest as e:
        if not isinstance(e.message, dict) or e.message.get("cause") != "Unknown resources":
            raise
        unknown = e.message["detail"]
        seen.setdefault("unknown_resources", []).extend(
            sorted(r["original_resource_id"] for r in unknown)
        )
    for r in unknown:
        original = r["original_resource_id"]
        try:
            if original.startswith("disk-"):
                gnocchi.resource.create(
                    "instance_disk",
                    {"id": original, "name": "vda", "instance_id": INSTANCES[0],
                     "user_id": USER, "project_id": PROJECT},
                )
            else:
                gnocchi.resource.create("instance", resource(original, "compute-1"))
        except exceptions.ResourceAlreadyExists:
            pass
    gnocchi.metric.batch_resources_metrics_measures(measures, create_metrics=True)


publish(0)
publish(5)

# 2. Attributes that changed are updated.
updated = gnocchi.resource.update("instance", INSTANCES[0], {"host": "compute-2"})
seen["updated_host"] = updated["host"]

# 3. Searches, as Ceilometer ends deleted instances.
found = gnocchi.resource.search(resource_type="instance", query={"=": {"host": "compute-2"}})
seen["search_host"] = [r["id"] for r in found]
found = gnocchi.resource.search(
    resource_type="instance", query={"in": {"id": INSTANCES}}, details=True
)
for r in found:
    gnocchi.resource.update("instance", r["id"], {"ended_at": "2015-01-02T00:00:00"})
ended = gnocchi.resource.search(resource_type="generic", query={"!=": {"ended_at": None}})
seen["ended"] = sorted(r["id"] for r in ended)
disk = gnocchi.resource.get("instance_disk", "disk-" + INSTANCES[0])
seen["disk_metrics"] = sorted(disk["metrics"])
seen["history"] = len(gnocchi.resource.history("instance", INSTANCES[0]))

# 4. The measures read back, once metricd has processed them.
deadline = time.time() + 60
while True:
    measures = gnocchi.metric.get_measures("cpu", resource_id=INSTANCES[0], granularity=300)
    if len(measures) >= 2 or time.time() > deadline:
        break
    time.sleep(0.5)
seen["cpu"] = [[m[0].isoformat(), m[1], m[2]] for m in measures]
print(json.dumps(seen))
