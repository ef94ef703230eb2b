"""The component's main loop: read a sensor, flag anomalies locally, publish or buffer the telemetry.

Greengrass starts it as `ggc_user` (recipe `Run` step). It talks to AWS IoT Core only through the
nucleus's IPC (`awsiot.greengrasscoreipc`, AWS IoT Device SDK v2), on the device's own topic
`fleet/<thing name>/telemetry`, the only one its IoT policy allows.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from functions.device.anomaly import AnomalyModel
from functions.device.buffer import TelemetryBuffer
from functions.device.ota import ModelStore

Publish = Callable[[dict[str, Any]], None]


def telemetry_topic(thing_name: str) -> str:
    return f"fleet/{thing_name}/telemetry"


def step(reading: Mapping[str, float], model: AnomalyModel, buffer: TelemetryBuffer, publish: Publish) -> bool:
    """Score one reading, buffer it, and send whatever the buffer holds; True when it is an anomaly."""
    anomaly = model.is_anomaly(reading)
    buffer.append({"reading": dict(reading), "anomaly": anomaly, "model": model.version, "at": time.time()})
    buffer.drain(publish)
    return anomaly


def _readings(stream: Any) -> Iterator[dict[str, float]]:  # pragma: no cover (device I/O)
    for line in stream:
        if line.strip():
            yield {k: float(v) for k, v in json.loads(line).items()}


def main() -> None:  # pragma: no cover (runs on the device under the nucleus)
    from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2  # noqa: PLC0415 (device only)

    thing = os.environ["AWS_IOT_THING_NAME"]  # set by the nucleus for every component
    work = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    ipc = GreengrassCoreIPCClientV2()
    model = AnomalyModel.load(ModelStore(work / "models").model_path())
    buffer = TelemetryBuffer(work / "telemetry.db")

    def publish(record: dict[str, Any]) -> None:
        ipc.publish_to_iot_core(topic_name=telemetry_topic(thing), qos="1", payload=json.dumps(record).encode())

    for reading in _readings(sys.stdin):
        step(reading, model, buffer, publish)


if __name__ == "__main__":  # pragma: no cover
    main()
