"""Resource references on the wire, flattened the way the engine flattens them for a provider.

Why this exists: the SDK's `rpc.deserialize_properties` turns a resource reference (`role=my_role`)
back into a live resource object by *constructing* one (`Role(name, opts=ResourceOptions(urn=...))`),
which starts a `getResource` read on the calling thread's event loop. The mock monitor is called on
an SDK executor thread whose loop never runs, so that read either never finishes (a hang) or its
future is later awaited by the main loop ("attached to a different loop"). The real engine never
does this for pulumi-aws: a provider that does not accept resource references receives the
referenced resource's id (custom resources) or its URN (components) instead (pulumi/pulumi
`sdk/go/common/resource/plugin/rpc.go`, `MarshalPropertyValue` without `KeepResources`). The
recording monitor does the same before anything deserialises the request, so no resource object
is ever built off the main loop.
"""

from __future__ import annotations

from google.protobuf import struct_pb2
from pulumi.runtime import rpc


def _is_reference(struct: struct_pb2.Struct) -> bool:
    sig = struct.fields.get(rpc._special_sig_key)
    return sig is not None and sig.string_value == rpc._special_resource_sig


def _reference_value(struct: struct_pb2.Struct) -> struct_pb2.Value:
    """The id of a custom resource (unknown stays unknown), else the URN."""
    ref_id = struct.fields.get("id")
    if ref_id is not None and ref_id.WhichOneof("kind") == "string_value":
        if ref_id.string_value in ("", rpc.UNKNOWN):
            return struct_pb2.Value(string_value=rpc.UNKNOWN)
        return struct_pb2.Value(string_value=ref_id.string_value)
    return struct_pb2.Value(string_value=struct.fields["urn"].string_value)


def _flatten_value(value: struct_pb2.Value) -> None:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        if _is_reference(value.struct_value):
            value.CopyFrom(_reference_value(value.struct_value))
        else:
            flatten_references(value.struct_value)
    elif kind == "list_value":
        for item in value.list_value.values:
            _flatten_value(item)


def flatten_references(struct: struct_pb2.Struct) -> struct_pb2.Struct:
    """Replace, in place, every resource reference inside `struct` by the id or URN it stands for."""
    for value in struct.fields.values():
        _flatten_value(value)
    return struct
