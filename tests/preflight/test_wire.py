"""Resource references on the wire become the id (custom resources) or the URN (components), as the
real engine sends them to a provider that does not keep resources."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

from preflight.wire import flatten_references

URN = "urn:pulumi:dev::p::aws:iam/role:Role::r"


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct


def _ref(**fields: Any) -> dict[str, Any]:
    return {rpc._special_sig_key: rpc._special_resource_sig, "urn": URN, **fields}


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    struct = _struct(data)
    assert flatten_references(struct) is struct  # in place
    return json_format.MessageToDict(struct)


def test_a_custom_resource_becomes_its_id() -> None:
    assert _flat({"role": _ref(id="role-123")}) == {"role": "role-123"}


def test_an_unknown_or_empty_id_stays_unknown() -> None:
    assert _flat({"role": _ref(id=rpc.UNKNOWN), "other": _ref(id="")}) == {"role": rpc.UNKNOWN, "other": rpc.UNKNOWN}


def test_a_component_or_an_id_that_is_not_text_becomes_the_urn() -> None:
    assert _flat({"parent": _ref(), "odd": _ref(id=5)}) == {"parent": URN, "odd": URN}


def test_references_inside_lists_and_maps_are_flattened_at_any_depth() -> None:
    data = {
        "roles": [_ref(id="a"), [_ref(id="b")], "plain"],
        "nested": {"inner": {"role": _ref(id="c")}, "n": 1},
    }
    assert _flat(data) == {"roles": ["a", ["b"], "plain"], "nested": {"inner": {"role": "c"}, "n": 1.0}}


def test_other_special_values_and_plain_maps_are_left_alone() -> None:
    secret = {rpc._special_sig_key: rpc._special_secret_sig, "value": "s"}
    other = {rpc._special_sig_key: rpc._special_resource_sig + "x", "id": "i", "urn": URN}
    assert _flat({"secret": secret, "other": other, "map": {"id": "i", "urn": URN}}) == {
        "secret": secret,
        "other": other,
        "map": {"id": "i", "urn": URN},
    }
