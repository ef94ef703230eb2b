"""Storage: the platform's durable state (Storage layer).

* an output bucket for inference logs, summaries and generated content (P106), hardened and aged into
  cheaper storage by lifecycle rules (P146, P175);
* DynamoDB tables for session state (P107, P063), a response cache, and audit records of AI
  decisions (P147, P188). On-demand billing, so an idle stack pays nothing for throughput (P175);
  encrypted with the stack key (P141); items in sessions and cache expire through a TTL attribute
  (`expires_at` by default, the runtime's name; P146); point-in-time recovery and deletion
  protection follow the stack settings.

Each table is a `Table` with its own `grant_read` / `grant_write` methods; the audit table is
append-only (writers may only `PutItem`), so no role can rewrite history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.buckets import HardenedBucket, LifecycleSpec
from components.kms import StackKey
from components.settings import PlatformSettings
from functions.shared import constants as c

#: The TTL attribute the runtime writes (functions/shared/constants.py TTL_ATTR), epoch seconds.
TTL_ATTRIBUTE = c.TTL_ATTR

READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query")
WRITE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
APPEND_ONLY_ACTIONS = ("dynamodb:PutItem",)
#: Items of a table encrypted with a customer-managed key are decrypted for the caller
#: (docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html).
KMS_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class TableSpec:
    """Shape of one table: keys (name, DynamoDB type) and whether items expire."""

    base: str
    hash_key: tuple[str, str]
    range_key: tuple[str, str] | None = None
    ttl: bool = True
    append_only: bool = False
    #: The attribute DynamoDB reads expiry from; it must be the one the code writes.
    ttl_attribute: str = TTL_ATTRIBUTE


SESSIONS = TableSpec("sessions", ("sessionId", "S"), ("turn", "N"))
#: Tables whose keys are the runtime's own attribute names: functions/shared/constants.py decides them (the
#: deployed code may not import the tooling, so the components import the runtime's constants, never the reverse).
CACHE = TableSpec("response-cache", (c.CACHE_KEY_ATTR, "S"))
#: Append-only audit trail: one item per record of a request (sort key: `decision` from decide,
#: `workflow_failed` from the workflow), each written once with a condition (issue 9 §4, P147).
AUDIT = TableSpec("audit", (c.AUDIT_KEY_ATTR, "S"), (c.AUDIT_SORT_ATTR, "S"), append_only=True)


class Table:
    """A DynamoDB table with least-privilege grant methods (not a component: its parent is Storage)."""

    def __init__(
        self,
        spec: TableSpec,
        settings: PlatformSettings,
        *,
        key: StackKey,
        parent: pulumi.Resource,
        prefix: str,
    ) -> None:
        self.spec = spec
        self._key = key
        self._parent = parent
        self._logical = f"{prefix}-{spec.base}"
        attributes = [aws.dynamodb.TableAttributeArgs(name=spec.hash_key[0], type=spec.hash_key[1])]
        if spec.range_key is not None:
            attributes.append(aws.dynamodb.TableAttributeArgs(name=spec.range_key[0], type=spec.range_key[1]))
        self.table = aws.dynamodb.Table(
            self._logical,
            name=settings.name(spec.base),
            billing_mode="PAY_PER_REQUEST",  # P175: no idle throughput charges
            hash_key=spec.hash_key[0],
            range_key=spec.range_key[0] if spec.range_key is not None else None,
            attributes=attributes,
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=key.arn),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=settings.point_in_time_recovery),
            deletion_protection_enabled=settings.deletion_protection,
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=spec.ttl_attribute, enabled=True) if spec.ttl else None,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        self.arn: pulumi.Output[str] = self.table.arn
        self.name: pulumi.Output[str] = self.table.name

    def read_statements(self) -> list[dict[str, Any]]:
        return [iam.statement(READ_ACTIONS, [self.arn]), iam.statement(KMS_READ_ACTIONS, [self._key.arn])]

    def write_statements(self) -> list[dict[str, Any]]:
        actions = APPEND_ONLY_ACTIONS if self.spec.append_only else WRITE_ACTIONS
        return [iam.statement(actions, [self.arn]), iam.statement(KMS_WRITE_ACTIONS, [self._key.arn])]

    def grant_read(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` get and query items (never scan)."""
        token = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._logical}-read-{token}", self.read_statements(), parent=self._parent)

    def grant_write(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` write items (only append to the audit table)."""
        token = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._logical}-write-{token}", self.write_statements(), parent=self._parent)

    def grant_actions(
        self, role: iam.RoleRef, actions: Sequence[str], *, name: str | None = None, label: str = "items"
    ) -> aws.iam.RolePolicy:
        """Let `role` call exactly `actions` on this table (for roles that need less than read or write).

        The stack key is granted for reading only, or also for writing when any action writes (P135, P141).
        """
        unknown = sorted(set(actions) - set(READ_ACTIONS) - set(WRITE_ACTIONS))
        if unknown or not actions:
            raise ValueError(f"{self._logical}: not item actions of this table: {unknown or 'none given'}")
        if self.spec.append_only and set(actions) - set(READ_ACTIONS) - set(APPEND_ONLY_ACTIONS):
            raise ValueError(f"{self._logical}: append-only; writers may only {APPEND_ONLY_ACTIONS}")
        key_actions = KMS_WRITE_ACTIONS if set(actions) & set(WRITE_ACTIONS) else KMS_READ_ACTIONS
        statements = [iam.statement(sorted(actions), [self.arn]), iam.statement(key_actions, [self._key.arn])]
        token = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._logical}-{label}-{token}", statements, parent=self._parent)

    def grant_read_write(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        token = iam.role_key(role, name)
        read, write = self.read_statements(), self.write_statements()
        statements = [read[0], write[0], write[1]]
        return iam.role_policy(role, f"{self._logical}-read-write-{token}", statements, parent=self._parent)


class Storage(pulumi.ComponentResource):
    """Output bucket plus session, response-cache and audit tables.

    Examples
    --------
    >>> storage = Storage("storage", settings, key=key)
    >>> storage.sessions.grant_read_write(function.role)
    >>> storage.audit.grant_write(function.role)  # PutItem only
    """

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        access_log_bucket: HardenedBucket | None = None,
        tables: Sequence[TableSpec] = (SESSIONS, CACHE, AUDIT),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:storage:Storage", name, None, opts)
        self.bucket = HardenedBucket(
            f"{name}-outputs",
            settings,
            key=key,
            access_log_bucket=access_log_bucket,
            lifecycle=LifecycleSpec(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.tables: dict[str, Table] = {
            spec.base: Table(spec, settings, key=key, parent=self, prefix=name) for spec in tables
        }
        self.register_outputs(
            {
                "bucket": self.bucket.name,
                **{f"{base}_table": table.name for base, table in self.tables.items()},
            }
        )

    @property
    def sessions(self) -> Table:
        return self.tables[SESSIONS.base]

    @property
    def cache(self) -> Table:
        return self.tables[CACHE.base]

    @property
    def audit(self) -> Table:
        return self.tables[AUDIT.base]
