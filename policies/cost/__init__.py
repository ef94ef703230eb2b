"""Idle-cost pricing the cost policies and `preflight cost` share: the price table and the estimator.

It lives in the pack because the Pulumi CLI loads only the pack directory (`--policy-pack policies`);
`preflight` imports it from here, never the other way round.
"""
