"""The engine's SDK shortcuts (preflight/sdk_shortcuts.py) record exactly what the SDK's full path records."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import resource as sdk_resource

from bench.programs import write_generated_program
from preflight.engine import synthesize
from preflight.sdk_shortcuts import await_now, skip_source_positions
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS

ROOT = Path(__file__).resolve().parents[2]


def _both_ways(program: Path, stack: str) -> tuple[str, str]:
    fast = synthesize(program, stack, timeout=300).to_json()
    full = synthesize(program, stack, timeout=300, shortcuts=False).to_json()
    return fast, full


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_template_records_the_same_graph_byte_for_byte(stack: str) -> None:
    fast, full = _both_ways(ROOT, stack)
    assert fast == full


@pytest.mark.parametrize("key", ["static-website", "eks", "fargate", "stackreference-team", "apigateway-rest-and-http"])
def test_a_public_program_records_the_same_graph(tmp_path: Path, key: str) -> None:
    program = PROGRAMS[key]
    directory = write_program(tmp_path, program.main, name=program.name, config=program.config, files=program.files)
    fast, full = _both_ways(directory, "dev")
    assert fast == full


def test_a_generated_program_with_a_stack_transform_records_the_same_graph(tmp_path: Path) -> None:
    fast, full = _both_ways(write_generated_program(tmp_path, 60), "dev")
    assert fast == full
    assert '"environment": "bench"' in fast  # the transform ran on both paths


def test_a_transform_that_awaits_an_output_still_applies(tmp_path: Path) -> None:
    """A transform that suspends (awaits another resource's output) takes await_now's fallback."""
    main = """
    import pulumi
    import pulumi_aws as aws

    first = aws.sqs.Queue("first")

    async def tag(args):
        if args.type_ == "aws:sqs/queue:Queue" and args.name == "second":
            arn = await first.arn.future()
            return pulumi.ResourceTransformResult({**args.props, "tags": {"after": arn}}, args.opts)
        return None

    aws.sqs.Queue("second", opts=pulumi.ResourceOptions(transforms=[tag]))
    """
    fast, full = _both_ways(write_program(tmp_path, main), "dev")
    assert fast == full
    assert '"after": "arn:aws:sqs:' in fast


def test_source_positions_are_skipped_only_inside_the_block() -> None:
    original = sdk_resource._get_stack_trace
    with skip_source_positions():
        assert sdk_resource._get_stack_trace is not original
        assert not sdk_resource._get_stack_trace().frames
    assert sdk_resource._get_stack_trace is original


def test_interleaved_blocks_still_end_with_the_sdks_own_stack_trace() -> None:
    original = sdk_resource._get_stack_trace
    first, second = skip_source_positions(), skip_source_positions()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first ends before the second
    second.__exit__(None, None, None)
    assert sdk_resource._get_stack_trace is original


def test_await_now_returns_a_result_without_running_the_loop() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ran: list[str] = []
    loop.call_soon(ran.append, "loop turned")

    async def plain() -> int:
        return 42

    try:
        assert await_now(plain()) == 42
        assert ran == []  # the loop never ran
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def test_await_now_finishes_a_suspending_coroutine_on_the_loop() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def suspends() -> str:
        future: asyncio.Future[str] = loop.create_future()
        loop.call_soon(future.set_result, "done")
        await asyncio.sleep(0)
        return await future

    async def fails() -> Any:
        await asyncio.sleep(0)
        raise KeyError("inside")

    try:
        assert await_now(suspends()) == "done"
        with pytest.raises(KeyError):
            await_now(fails())
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def test_await_now_gives_what_a_coroutine_scheduled_its_loop_turn() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ran: list[str] = []

    async def schedules() -> int:
        asyncio.get_event_loop().call_soon(ran.append, "scheduled")
        return 1

    try:
        assert await_now(schedules()) == 1
        assert ran == ["scheduled"]
    finally:
        loop.close()
        asyncio.set_event_loop(None)
