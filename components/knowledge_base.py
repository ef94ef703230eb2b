"""KnowledgeBase: a Bedrock knowledge base on Amazon S3 Vectors over documents in S3 (P027, P053-P055, P098).

Serverless and idle-free (P007, P012, P014): S3 Vectors bills storage and queries, with no cluster
like OpenSearch Serverless (minimum OCUs) behind it. Storage type `S3_VECTORS` with
`vector_bucket_arn`/`index_arn` (botocore `bedrock-agent` KnowledgeBaseStorageType and
S3VectorsConfiguration; pulumi-aws AgentKnowledgeBaseStorageConfigurationS3VectorsConfigurationArgs).

* Documents live in a HardenedBucket (KMS, TLS-only, versioned); vectors in a KMS-encrypted vector
  bucket (`sse_type` "aws:kms", botocore `s3vectors` SseType); the data source encrypts transient
  ingestion data with the stack key (P141).
* The index is float32/cosine with the embedding model's dimension; the Bedrock text chunk and its
  metadata are stored as non-filterable metadata (they exceed filterable-metadata size limits).
* The role is trusted by `bedrock.amazonaws.com` only for knowledge bases of this account and Region
  (aws:SourceAccount, aws:SourceArn) and holds exactly: invoke the embedding model, read the documents,
  read/write vectors of this one index, use the stack key (P135, P137).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam, models
from components.buckets import HardenedBucket
from components.kms import StackKey
from components.settings import PlatformSettings

VECTOR_ACTIONS = (
    "s3vectors:DeleteVectors",
    "s3vectors:GetIndex",
    "s3vectors:GetVectors",
    "s3vectors:PutVectors",
    "s3vectors:QueryVectors",
)
#: Bedrock stores the chunk text and its metadata under these keys (non-filterable in S3 Vectors).
BEDROCK_METADATA_KEYS = ("AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA")


@dataclass(frozen=True)
class KnowledgeBaseArgs:
    embedding_model_id: str = models.EMBEDDING_MODEL_ID
    dimensions: int = models.EMBEDDING_DIMENSIONS
    inclusion_prefixes: tuple[str, ...] = ("documents/",)
    description: str = "Enterprise documents for grounding the agent's answers (P053)"

    def __post_init__(self) -> None:
        if not 1 <= self.dimensions <= 4096:
            raise ValueError("dimensions must be between 1 and 4096 (S3 Vectors Dimension)")


class KnowledgeBase(pulumi.ComponentResource):
    """Documents bucket, vector bucket and index, knowledge base, S3 data source.

    Examples
    --------
    >>> kb = KnowledgeBase("knowledge", settings, KnowledgeBaseArgs(), key=key, access_log_bucket=logs)
    >>> agent_function.grant_retrieve(kb)
    """

    documents: HardenedBucket
    vector_bucket: aws.s3.VectorsVectorBucket
    index: aws.s3.VectorsIndex
    knowledge_base: aws.bedrock.AgentKnowledgeBase
    data_source: aws.bedrock.AgentDataSource
    role: aws.iam.Role
    arn: pulumi.Output[str]
    knowledge_base_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: KnowledgeBaseArgs | None = None,
        *,
        key: StackKey,
        access_log_bucket: HardenedBucket | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:knowledge:KnowledgeBase", name, None, opts)
        args = args or KnowledgeBaseArgs()
        child = pulumi.ResourceOptions(parent=self)
        kb_name = settings.name(name)
        account_id = aws.get_caller_identity_output().account_id
        region = settings.region

        self.documents = HardenedBucket(
            f"{name}-documents", settings, key=key, access_log_bucket=access_log_bucket, opts=child
        )
        self.vector_bucket = aws.s3.VectorsVectorBucket(
            f"{name}-vectors",
            vector_bucket_name=kb_name[:63],
            encryption_configurations=[
                aws.s3.VectorsVectorBucketEncryptionConfigurationArgs(sse_type="aws:kms", kms_key_arn=key.arn)
            ],
            force_destroy=not settings.is_production,
            opts=child,
        )
        self.index = aws.s3.VectorsIndex(
            f"{name}-index",
            vector_bucket_name=self.vector_bucket.vector_bucket_name,
            index_name="documents",
            data_type="float32",
            dimension=args.dimensions,
            distance_metric="cosine",
            metadata_configuration=aws.s3.VectorsIndexMetadataConfigurationArgs(
                non_filterable_metadata_keys=list(BEDROCK_METADATA_KEYS)
            ),
            opts=child,
        )
        kb_arns = pulumi.Output.concat("arn:aws:bedrock:", region, ":", account_id, ":knowledge-base/*")
        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{kb_name}-kb"[:64],
            description=f"Role of the {kb_name} knowledge base (P135)",
            assume_role_policy=iam.service_trust("bedrock.amazonaws.com", account_id, kb_arns, source_arn_like=True),
            opts=child,
        )
        embedding_arn = models.foundation_model_arn(region, args.embedding_model_id)
        grants = [
            iam.role_policy(
                self.role, f"{name}-embed", [iam.statement(["bedrock:InvokeModel"], [embedding_arn])], parent=self
            ),
            iam.role_policy(
                self.role, f"{name}-vectors", [iam.statement(VECTOR_ACTIONS, [self.index.index_arn])], parent=self
            ),
            self.documents.grant_read(self.role, name=f"{name}-role"),
            key.grant_encrypt_decrypt(self.role, name=f"{name}-role"),
        ]
        self.knowledge_base = aws.bedrock.AgentKnowledgeBase(
            name,
            name=kb_name,
            description=args.description,
            role_arn=self.role.arn,
            knowledge_base_configuration=aws.bedrock.AgentKnowledgeBaseKnowledgeBaseConfigurationArgs(
                type="VECTOR",
                vector_knowledge_base_configuration=aws.bedrock.AgentKnowledgeBaseKnowledgeBaseConfigurationVectorKnowledgeBaseConfigurationArgs(
                    embedding_model_arn=embedding_arn
                ),
            ),
            storage_configuration=aws.bedrock.AgentKnowledgeBaseStorageConfigurationArgs(
                type="S3_VECTORS",
                s3_vectors_configuration=aws.bedrock.AgentKnowledgeBaseStorageConfigurationS3VectorsConfigurationArgs(
                    index_arn=self.index.index_arn
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        self.data_source = aws.bedrock.AgentDataSource(
            f"{name}-documents",
            name=f"{kb_name}-documents",
            knowledge_base_id=self.knowledge_base.id,
            data_deletion_policy="DELETE",  # removing a document removes its vectors (P146)
            data_source_configuration=aws.bedrock.AgentDataSourceDataSourceConfigurationArgs(
                type="S3",
                s3_configuration=aws.bedrock.AgentDataSourceDataSourceConfigurationS3ConfigurationArgs(
                    bucket_arn=self.documents.arn,
                    inclusion_prefixes=list(args.inclusion_prefixes) or None,
                ),
            ),
            server_side_encryption_configuration=aws.bedrock.AgentDataSourceServerSideEncryptionConfigurationArgs(
                kms_key_arn=key.arn
            ),
            opts=child,
        )
        self.arn = self.knowledge_base.arn
        self.knowledge_base_id = self.knowledge_base.id
        self.register_outputs({"id": self.knowledge_base_id, "arn": self.arn, "documents_bucket": self.documents.name})

    def retrieve_statement(self) -> dict[str, object]:
        """`bedrock:Retrieve` on this knowledge base only (for agents and functions that query it)."""
        return iam.statement(["bedrock:Retrieve"], [self.arn])
