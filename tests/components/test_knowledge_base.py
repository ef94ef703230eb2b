"""KnowledgeBase on S3 Vectors: storage type, encryption, embedding model, scoped role."""

from __future__ import annotations

from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
from components.knowledge_base import KnowledgeBase
key = StackKey("key", settings)
KnowledgeBase("knowledge", settings, key=key)
"""


def test_knowledge_base_on_s3_vectors(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    kb = only(graph, "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase").inputs
    assert kb["storageConfiguration"]["type"] == "S3_VECTORS"
    assert "indexArn" in kb["storageConfiguration"]["s3VectorsConfiguration"]
    embedding = kb["knowledgeBaseConfiguration"]["vectorKnowledgeBaseConfiguration"]["embeddingModelArn"]
    assert embedding == "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    bucket = only(graph, "aws:s3/vectorsVectorBucket:VectorsVectorBucket").inputs
    assert bucket["encryptionConfigurations"][0]["sseType"] == "aws:kms"
    index = only(graph, "aws:s3/vectorsIndex:VectorsIndex").inputs
    assert (index["dimension"], index["distanceMetric"], index["dataType"]) == (1024, "cosine", "float32")
    source = only(graph, "aws:bedrock/agentDataSource:AgentDataSource").inputs
    assert source["dataSourceConfiguration"]["type"] == "S3"
    assert source["serverSideEncryptionConfiguration"]["kmsKeyArn"].startswith("arn:aws:kms:")
    assert not graph.of_type("aws:opensearch/serverlessCollection:ServerlessCollection")


def test_role_is_scoped(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.name == "knowledge-role")
    trust = policy_of(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/*"
    policies = {n.name: policy_of(n)["Statement"] for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")}
    (embed,) = policies["knowledge-embed"]
    assert embed["Action"] == ["bedrock:InvokeModel"]
    (vectors,) = policies["knowledge-vectors"]
    assert all(a.startswith("s3vectors:") for a in vectors["Action"])
    assert vectors["Resource"] != ["*"]
