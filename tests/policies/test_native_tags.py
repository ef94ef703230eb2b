"""Tags of aws-native resources, a `{key, value}` list in most types (a map in a few), judged like pulumi-aws maps.

`required-tags` reads every resource's tags through policies.tags.tag_map, and the aws-native views carry them as
a map, so a rule reading one tag (`session-table-ttl`'s `purpose`) finds it on a native table too.
"""

from __future__ import annotations

import pytest

from policies.tags import tag_map
from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth
from tests.policies.test_native import _flagged, _node

PROGRAM = """
import pulumi_aws_native as native

TAGS = [{"key": "environment", "value": "dev"}, {"key": "team", "value": "ai"}]
native.sqs.Queue("ok_list_tags", tags=TAGS)
native.ssm.Parameter("ok_map_tags", type="String", value="v", tags={"environment": "dev", "team": "ai"})
native.lambda_.Permission("ok_takes_no_tags", action="lambda:InvokeFunction", function_name="f",
                          principal="events.amazonaws.com")
native.sqs.Queue("bad1_untagged")
native.sqs.Queue("bad2_team_missing", tags=[{"key": "environment", "value": "dev"}])
native.ssm.Parameter("bad3_map_team_missing", type="String", value="v", tags={"environment": "dev"})
native.sqs.Queue("bad4_team_empty", tags=[{"key": "environment", "value": "dev"}, {"key": "team", "value": ""}])
"""

SETTINGS = {"requiredTagKeys": ["environment", "team"]}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("native-tags"), PROGRAM)


def test_required_tags_judges_aws_native_tag_lists_and_maps(graph: ResourceGraph) -> None:
    assert flagged(graph, "required-tags", SETTINGS) == {
        "bad1_untagged",
        "bad2_team_missing",
        "bad3_map_team_missing",
        "bad4_team_empty",
    }


def test_a_native_table_tagged_for_sessions_needs_ttl() -> None:
    # built by hand: pulumi 3.272's input translation rejects aws-native Table's key_schema (a Union with Any)
    # under mocks, so this program cannot be synthesised
    tags = [{"key": "purpose", "value": "sessions"}]
    nodes = [
        _node("bad5_store_purpose_tagged", "aws-native:dynamodb:Table", {"tags": tags}),
        _node(
            "ok_store_purpose_tagged_ttl",
            "aws-native:dynamodb:Table",
            {"tags": tags, "timeToLiveSpecification": {"attributeName": "expires_at", "enabled": True}},
        ),
        _node("ok_results", "aws-native:dynamodb:Table", {"tags": [{"key": "purpose", "value": "results"}]}),
    ]
    assert _flagged("session-table-ttl", nodes) == {"bad5_store_purpose_tagged"}


def test_tag_map_reads_both_shapes_and_keeps_what_it_cannot_read() -> None:
    assert tag_map([{"key": "team", "value": "ai"}, {"value": "no key"}, "junk"]) == {"team": "ai"}
    assert tag_map({"team": "ai"}) == {"team": "ai"}
    assert tag_map(None) is None
    marker = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi_policy's unknown marker, left for the rule to meet
    assert tag_map(marker) == marker
