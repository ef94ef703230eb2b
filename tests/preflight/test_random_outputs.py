"""pulumi-random values offline: deterministic, in the provider's own shapes, and a program built on them judged
as it is once they exist (review s10 #8). RandomPassword and RandomBytes (sensitive) stay unknown."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from preflight.fabricate import fabricates, resource_outputs
from preflight.gate import run_gate
from preflight.random_outputs import (
    RANDOM_ID,
    RANDOM_INTEGER,
    RANDOM_PET,
    RANDOM_SHUFFLE,
    RANDOM_STRING,
    RANDOM_UUID,
)
from tests.preflight.programs import write_program


def _outputs(type_: str, inputs: dict[str, object], name: str = "r") -> tuple[str, dict[str, object]]:
    return resource_outputs(type_, name, inputs, "us-east-1")


def test_random_id_has_the_providers_four_encodings_of_one_value() -> None:
    resource_id, state = _outputs(RANDOM_ID, {"byteLength": 4})
    raw = bytes.fromhex(str(state["hex"]))
    assert len(raw) == 4 and re.fullmatch(r"[0-9a-f]{8}", str(state["hex"]))
    assert state["dec"] == str(int.from_bytes(raw, "big"))
    assert state["b64Std"] == base64.b64encode(raw).decode()
    assert state["b64Url"] == resource_id == base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert _outputs(RANDOM_ID, {"byteLength": 4}) == (resource_id, state)  # deterministic
    assert _outputs(RANDOM_ID, {"byteLength": 4}, name="other")[0] != resource_id


def test_random_id_prefix_is_on_every_encoding_but_the_id() -> None:
    resource_id, state = _outputs(RANDOM_ID, {"byteLength": 2, "prefix": "p-"})
    assert not resource_id.startswith("p-")
    assert all(str(state[k]).startswith("p-") for k in ("hex", "dec", "b64Std", "b64Url"))
    assert state["b64Url"] == "p-" + resource_id


@pytest.mark.parametrize(
    ("inputs", "allowed", "minimums"),
    [
        ({"length": 12}, r"[A-Za-z0-9!@#$%&*()\-_=+\[\]{}<>:?]", {}),
        ({"length": 15, "special": False, "number": False}, r"[A-Za-z]", {}),
        ({"length": 10, "upper": False, "special": False}, r"[a-z0-9]", {}),
        ({"length": 8, "overrideSpecial": "_%", "minSpecial": 3, "minUpper": 2}, r"[A-Za-z0-9_%]", {"_%": 3, "A-Z": 2}),
    ],
)
def test_random_string_uses_only_the_enabled_classes(
    inputs: dict[str, object], allowed: str, minimums: dict[str, int]
) -> None:
    resource_id, state = _outputs(RANDOM_STRING, inputs)
    result = str(state["result"])
    assert resource_id == result and len(result) == inputs["length"]
    assert re.fullmatch(f"{allowed}+", result), result
    for chars, count in minimums.items():
        assert len(re.findall(f"[{chars}]", result)) >= count, (chars, result)


def test_random_pet_is_lower_case_words_after_the_prefix() -> None:
    assert re.fullmatch(r"[a-z]+-[a-z]+", _outputs(RANDOM_PET, {})[0])
    assert re.fullmatch(
        r"app_[a-z]+_[a-z]+_[a-z]+", _outputs(RANDOM_PET, {"length": 3, "separator": "_", "prefix": "app"})[0]
    )


def test_random_integer_uuid_and_shuffle() -> None:
    resource_id, state = _outputs(RANDOM_INTEGER, {"min": 10, "max": 20})
    assert isinstance(state["result"], int) and 10 <= state["result"] <= 20 and resource_id == str(state["result"])
    resource_id, state = _outputs(RANDOM_UUID, {})
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", resource_id)
    assert state["result"] == resource_id
    _, state = _outputs(RANDOM_SHUFFLE, {"inputs": ["a", "b", "c", "d"], "resultCount": 2})
    results = state["results"]
    assert isinstance(results, list) and len(results) == 2 and set(results) <= {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    "token", ["random:index/randomPassword:RandomPassword", "random:index/randomBytes:RandomBytes"]
)
def test_sensitive_random_values_stay_unknown(token: str) -> None:
    assert not fabricates(token)
    _, state = _outputs(token, {"length": 16})
    assert state == {"length": 16}


#: The review's repros: a scoped (secure) queue policy and a public one, both naming the queue with a RandomId suffix.
PROGRAM = """
import json
import pulumi
import pulumi_aws as aws
import pulumi_random as random

suffix = random.RandomId("suffix", byte_length=4)
key = aws.kms.Key("key", enable_key_rotation=True, description="k", policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*", "Resource": "*"}]}))
q = aws.sqs.Queue("q", name=suffix.hex.apply(lambda h: f"jobs-{h}"), kms_master_key_id=key.arn)
aws.sqs.QueuePolicy("qp", queue_url=q.url, policy=pulumi.Output.all(q.arn, suffix.hex).apply(lambda a: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Sid": f"s{a[1]}", "Effect": "Allow", "Principal": PRINCIPAL,
    "Action": ["sqs:SendMessage"], "Resource": a[0]}]})))
"""


@pytest.mark.parametrize(
    ("case", "principal", "expected"),
    [
        ("compliant1_scoped_policy", '{"AWS": "arn:aws:iam::123456789012:role/producer"}', set()),
        ("noncompliant1_public_policy", '"*"', {("resource-policy-not-public", "qp")}),
    ],
)
def test_a_program_named_with_a_random_suffix_is_judged(
    tmp_path: Path, case: str, principal: str, expected: set[tuple[str, str]]
) -> None:
    config: dict[str, object] = {"preflight:accountBaseline": "organization"}  # the baseline is out of the way
    program = write_program(tmp_path, PROGRAM.replace("PRINCIPAL", principal), stack="prod", config=config)
    report = run_gate(program, "prod", checkov=False)
    mandatory = {(f.policy, f.resource) for f in report.mandatory}
    assert mandatory == expected, case
    assert not [n for n in report.notes if "apply-not-run" in n or "not judged offline" in n], case
