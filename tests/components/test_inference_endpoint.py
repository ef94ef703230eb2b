"""InferenceEndpoint: serverless only, no idle capacity."""

from __future__ import annotations

import pytest

from components.inference_endpoint import InferenceEndpointArgs
from tests.components.conftest import RunProgram, only

PROGRAM = """
from components.kms import StackKey
from components.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
key = StackKey("key", settings)
InferenceEndpoint("classifier", settings, InferenceEndpointArgs(
    image_uri="763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310",
    model_data_url="s3://models-bucket/classifier/model.tar.gz",
    model_data_arn="arn:aws:s3:::models-bucket/classifier/model.tar.gz"), key=key)
"""


def test_serverless_endpoint(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    config = only(graph, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs
    (variant,) = config["productionVariants"]
    assert variant["serverlessConfig"] == {"memorySizeInMb": 2048, "maxConcurrency": 5}
    assert "instanceType" not in variant and "initialInstanceCount" not in variant
    assert "provisionedConcurrency" not in variant["serverlessConfig"]
    assert only(graph, "aws:sagemaker/model:Model").inputs["enableNetworkIsolation"] is True


@pytest.mark.parametrize("kwargs", [{"memory_mb": 1000}, {"max_concurrency": 0}, {"model_data_url": "http://x"}])
def test_invalid_args(kwargs: dict) -> None:
    base = {"image_uri": "i", "model_data_url": "s3://b/k", "model_data_arn": "arn:aws:s3:::b/k", **kwargs}
    with pytest.raises(ValueError):
        InferenceEndpointArgs(**base)
