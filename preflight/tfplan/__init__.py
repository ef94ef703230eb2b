"""The Terraform-plan bridge: a Pulumi resource graph as the plan JSON checkov's `terraform_plan` framework scans.

checkov has no Pulumi support; it does read Terraform plans. pulumi-aws is generated from the
Terraform AWS provider, so each pulumi-aws resource is a Terraform resource under another name:
`types` holds the names, `shapes` the nesting (a table derived from the installed SDK), `convert` writes the plan.
"""

from __future__ import annotations

from preflight.tfplan.convert import AddressEntry, TfPlan, graph_to_tfplan, singular, snake_case, tf_identifier
from preflight.tfplan.types import TF_TYPES, tf_type_of

__all__ = [
    "TF_TYPES",
    "AddressEntry",
    "TfPlan",
    "graph_to_tfplan",
    "singular",
    "snake_case",
    "tf_identifier",
    "tf_type_of",
]
