"""A trail only counts as the audit record when its selectors record every read and write management event.

Review 5 #8: a trail with only a data-event advanced selector (or `include_management_events=False`) passed
`cloudtrail-enabled` in prod while recording no API activity. Shapes from botocore's cloudtrail model
(`EventSelector`, `AdvancedEventSelector`, `AdvancedFieldSelector`) as pulumi-aws 7.51.1 names them.
"""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from typing import Any

import pytest

from policies.rules import governance as gov
from tests.policies.rules.calls import resource, run_stack, urn

GOOD_TRAIL = {
    "enableLogFileValidation": True,
    "isMultiRegionTrail": True,
    "kmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/k",
}
MISSES = "trail: its event selectors do not record all read and write management events (API activity)."
GLOBAL_OFF = (
    "trail: global service events (IAM, STS, CloudFront) are not recorded (includeGlobalServiceEvents is false)."
)


def _field(field: str, **ops: list[str]) -> dict[str, Any]:
    return {"field": field, **ops}


def _advanced(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"name": "s", "fieldSelectors": list(fields)}


MANAGEMENT = _advanced(_field("eventCategory", equals=["Management"]))
DATA_ONLY = _advanced(
    _field("eventCategory", equals=["Data"]),
    _field("resources.type", equals=["AWS::S3::Object"]),
    _field("resources.ARN", startsWiths=["arn:aws:s3:::acme-unused/"]),
)


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        ({}, []),
        ({"includeGlobalServiceEvents": True}, []),
        ({"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True}]}, []),
        ({"eventSelectors": [{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}, []),
        ({"eventSelectors": [{"readWriteType": "ReadOnly"}, {"readWriteType": "WriteOnly"}]}, []),
        ({"eventSelectors": [{"excludeManagementEventSources": ["kms.amazonaws.com"]}]}, []),
        ({"advancedEventSelectors": [MANAGEMENT, DATA_ONLY]}, []),
        ({"advancedEventSelectors": [_advanced(_field("eventCategory", equals=["Management"]), _field("eventSource", notEquals=["kms.amazonaws.com"]))]}, []),
        ({"advancedEventSelectors": [_advanced(_field("eventCategory", equals=["Management"]), _field("readOnly", equals=["true"])),
                                     _advanced(_field("eventCategory", equals=["Management"]), _field("readOnly", equals=["false"]))]}, []),
        ({"advancedEventSelectors": [DATA_ONLY]}, [MISSES]),
        ({"eventSelectors": [{"includeManagementEvents": False, "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}, [MISSES]),
        ({"eventSelectors": [{"includeManagementEvents": "false"}]}, [MISSES]),
        ({"eventSelectors": [{"readWriteType": "ReadOnly"}]}, [MISSES]),
        ({"eventSelectors": [{"readWriteType": "WriteOnly", "includeManagementEvents": True}]}, [MISSES]),
        ({"advancedEventSelectors": [_advanced(_field("eventCategory", equals=["Management"]), _field("readOnly", equals=["false"]))]}, [MISSES]),
        ({"advancedEventSelectors": [_advanced(_field("eventCategory", equals=["Management"]), _field("eventSource", equals=["s3.amazonaws.com"]))]}, [MISSES]),
        ({"advancedEventSelectors": [_advanced(_field("eventCategory", equals=["Management"]), _field("eventSource", startsWiths=["s3"]))]}, [MISSES]),
        ({"includeGlobalServiceEvents": False}, [GLOBAL_OFF]),
        ({"includeGlobalServiceEvents": "false", "advancedEventSelectors": [DATA_ONLY]}, [MISSES.removesuffix(".") + "; " + GLOBAL_OFF.removeprefix("trail: ")]),
    ],
    ids=["ok_default_selectors", "ok_global_on", "ok_basic_all", "ok_basic_defaults_with_data", "ok_read_plus_write", "ok_kms_excluded",
         "ok_advanced_management", "ok_advanced_source_excluded", "ok_advanced_read_plus_write",
         "bad1_data_only_advanced", "bad2_management_off", "bad3_management_off_string", "bad4_read_only", "bad5_write_only",
         "bad6_advanced_write_only", "bad7_advanced_one_source", "bad8_advanced_source_prefix", "bad9_global_off", "bad10_both"],
)  # fmt: skip
def test_the_trail_records_every_management_event(props: dict[str, Any], messages: list[str]) -> None:
    trail = resource(gov.TRAIL, "trail", {**GOOD_TRAIL, **props})
    assert run_stack(gov.CLOUDTRAIL, [trail], {}) == [(m, urn(gov.TRAIL, "trail")) for m in messages]
