"""Requests and wire responses generated from a botocore model, for comparing two clients of one service.

The pruned-model tests (``test_sdk_models.py``) call every operation a package uses through a client on the full
model and one on the pruned model, answer both with the same bytes, and compare what went out and what came back.
These helpers make those inputs from the *full* model's shapes, so neither client chooses them:

* :func:`params`: a value for every member (or only the required ones), within each shape's ``min``/``max`` and
  enums, the first member of a union, depth-limited for recursive shapes;
* :func:`success` and :func:`error`: an HTTP response in the service's protocol (``json``, ``rest-json``,
  ``rest-xml``, ``query``): headers for header-bound members, the payload member as the body, else a JSON or XML
  body of the other members; an error carries the shape's code (``error.code`` or its name) and HTTP status.

Nothing here has to be what the service would send: both clients parse the same bytes, and the tests require
that the parse filled the output (so a generator that produced nothing parseable would fail them).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape, StructureShape

WHEN = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
_MAX_DEPTH = 6
_CHECKSUM_HEADERS = "x-amz-checksum-"


def _string(shape: Shape) -> str:
    if shape.enum:
        return str(shape.enum[0])
    low, high = int(shape.metadata.get("min", 1)), int(shape.metadata.get("max", 8))
    return "v" * max(min(max(low, 3), high), 1)


def _number(shape: Shape) -> int:
    low, high = int(shape.metadata.get("min", 1)), int(shape.metadata.get("max", 7))
    return max(min(max(low, 1), high), low)


def value(shape: Shape, *, required_only: bool = False, depth: int = 0) -> Any:
    """A Python value of ``shape`` as a caller passes it (blobs as bytes, timestamps as datetimes)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if shape.metadata.get("document"):
            return {"a": 1}
        if depth >= _MAX_DEPTH:
            return {}
        names = list(shape.members)
        if shape.metadata.get("union"):
            names = names[:1]
        elif required_only:
            names = [name for name in names if name in shape.required_members]
        return {n: value(shape.members[n], required_only=required_only, depth=depth + 1) for n in names}
    if kind == "list":
        return [] if depth >= _MAX_DEPTH else [value(shape.member, required_only=required_only, depth=depth + 1)]
    if kind == "map":
        return {_string(shape.key): value(shape.value, required_only=required_only, depth=depth + 1)}
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        return _number(shape)
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"blob"
    if kind == "timestamp":
        return WHEN
    raise AssertionError(f"no value for shape type {kind}")


def params(operation: OperationModel, *, required_only: bool) -> dict[str, Any]:
    """Input parameters of ``operation`` (empty when it takes none)."""
    shape = operation.input_shape
    return {} if shape is None else dict(value(shape, required_only=required_only))


def _json_value(shape: Shape, data: Any) -> Any:
    """``data`` (from :func:`value`) as a JSON body carries it: blobs base64, timestamps epoch seconds."""
    kind = shape.type_name
    if kind == "structure" and not shape.metadata.get("document"):
        assert isinstance(shape, StructureShape)
        return {
            shape.members[k].serialization.get("name", k): _json_value(shape.members[k], v) for k, v in data.items()
        }
    if kind == "list":
        return [_json_value(shape.member, item) for item in data]
    if kind == "map":
        return {k: _json_value(shape.value, v) for k, v in data.items()}
    if kind == "blob":
        return base64.b64encode(data).decode()
    if kind == "timestamp":
        return data.timestamp()
    return data


def _xml_value(shape: Shape, name: str, data: Any) -> str:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        inner = "".join(
            _xml_value(shape.members[k], shape.members[k].serialization.get("name", k), v) for k, v in data.items()
        )
    elif kind == "list":
        member = shape.member.serialization.get("name", "member")
        items = "".join(_xml_value(shape.member, member, item) for item in data)
        return (
            items.replace(f"<{member}>", f"<{name}>").replace(f"</{member}>", f"</{name}>")
            if shape.serialization.get("flattened")
            else f"<{name}>{items}</{name}>"
        )
    elif kind == "map":
        inner = "".join(
            f"<entry><key>{escape(k)}</key>{_xml_value(shape.value, 'value', v)}</entry>" for k, v in data.items()
        )
    elif kind == "blob":
        inner = base64.b64encode(data).decode()
    elif kind == "timestamp":
        inner = data.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif kind == "boolean":
        inner = "true" if data else "false"
    else:
        inner = escape(str(data))
    return f"<{name}>{inner}</{name}>"


def _header(shape: Shape, data: Any) -> str:
    if shape.type_name == "timestamp":
        return str(data.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    if shape.type_name == "boolean":
        return "true" if data else "false"
    if shape.type_name == "blob":
        return base64.b64encode(data).decode()
    if shape.type_name in ("list", "map", "structure"):
        return json.dumps(data, default=str)
    return str(data)


Response = dict[str, Any]


def _protocol(operation: OperationModel) -> str:
    """The protocol botocore speaks for the operation's service (``ServiceModel.resolved_protocol``)."""
    return str(operation.service_model.resolved_protocol)


def success(operation: OperationModel) -> Response:
    """A 200 response of ``operation`` with every output member set (``status``, ``headers``, ``body``)."""
    shape = operation.output_shape
    protocol = _protocol(operation)
    headers: dict[str, str] = {"x-amzn-requestid": "req-1", "x-amz-request-id": "req-1"}
    if shape is None:
        body = b"{}" if protocol == "json" else b""
        return {"status": 200, "headers": headers, "body": body}
    assert isinstance(shape, StructureShape)
    data = value(shape)
    status = 200
    body_members: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    body = b""
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "header" and member.serialization.get("name", "").lower().startswith(_CHECKSUM_HEADERS):
            continue  # botocore checks these against the body (response_checksum_validation): none can be invented
        if location == "header":
            headers[member.serialization.get("name", name)] = _header(member, data[name])
        elif location == "headers":
            prefix = member.serialization.get("name", "")
            headers.update({f"{prefix}{k}": str(v) for k, v in data[name].items()})
        elif location == "statusCode":
            status = 200
        elif name == payload:
            if member.type_name in ("blob", "string"):
                raw = data[name]
                body = raw if isinstance(raw, bytes) else str(raw).encode()
            elif protocol == "rest-xml":
                body = _xml_value(member, member.serialization.get("name", name), data[name]).encode()
            else:
                body = json.dumps(_json_value(member, data[name])).encode()
        else:
            body_members[name] = data[name]
    if body_members or not payload:
        if protocol in ("json", "rest-json"):
            rendered = {
                shape.members[k].serialization.get("name", k): _json_value(shape.members[k], v)
                for k, v in body_members.items()
            }
            body = json.dumps(rendered).encode()
        elif protocol == "query":
            wrapper = operation.output_shape.serialization.get("resultWrapper", f"{operation.name}Result")
            members = "".join(
                _xml_value(shape.members[k], shape.members[k].serialization.get("name", k), v)
                for k, v in body_members.items()
            )
            body = (
                f"<{operation.name}Response><{wrapper}>{members}</{wrapper}>"
                f"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{operation.name}Response>"
            ).encode()
        elif body_members:
            body = _xml_value(shape, shape.name, body_members).encode()
    # a modeled Content-Length (S3's GetObject) must say what the body holds, or botocore refuses the read
    headers.update({k: str(len(body)) for k in headers if k.lower() == "content-length"})
    return {"status": status, "headers": headers, "body": body}


def error(operation: OperationModel, shape: StructureShape) -> Response:
    """An error response of ``operation`` with the code and status of error ``shape`` (its members set)."""
    protocol = _protocol(operation)
    error_info = shape.metadata.get("error", {})
    code = str(error_info.get("code", shape.name))
    status = int(error_info.get("httpStatusCode", 400))
    fields = {k: v for k, v in value(shape).items() if shape.members[k].serialization.get("location") is None}
    headers = {"x-amzn-requestid": "req-1", "x-amz-request-id": "req-1"}
    if protocol == "json":
        rendered = {
            shape.members[k].serialization.get("name", k): _json_value(shape.members[k], v) for k, v in fields.items()
        }
        body = json.dumps({"__type": f"com.amazonaws.test#{code}", "message": "m", **rendered}).encode()
    elif protocol == "rest-json":
        headers["x-amzn-errortype"] = f"{code}:http://internal.amazon.com/"
        rendered = {
            shape.members[k].serialization.get("name", k): _json_value(shape.members[k], v) for k, v in fields.items()
        }
        body = json.dumps({"message": "m", **rendered}).encode()
    elif protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error>"
            "<RequestId>req-1</RequestId></ErrorResponse>"
        ).encode()
    else:
        members = "".join(
            _xml_value(shape.members[k], shape.members[k].serialization.get("name", k), v) for k, v in fields.items()
        )
        body = f"<Error><Code>{code}</Code><Message>m</Message>{members}<RequestId>req-1</RequestId></Error>".encode()
    return {"status": status, "headers": headers, "body": body}
