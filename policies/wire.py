"""Values of Pulumi's wire protocol that the pack and the offline engine both need to recognise."""

from __future__ import annotations

#: "Unknown during preview", whatever the property's type: pulumi.runtime.rpc.UNKNOWN, and the
#: `computedValuePlaceholder` of serialised state (pulumi/pulumi pkg/resource/stack/deployment.go L61-L66).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
