"""Every entry of provider_calls.yaml has been read against the provider's source, or says why not (issue 9 §2).

The CI roles are generated from provider_calls.yaml, so an entry nobody checked against the provider's source
grants what someone believed the provider calls. `verified: <path>@<commit>` records that its calls were read
in that file at that commit (test_deploy_roles.py keeps the field well formed). This test keeps every entry
verified except the few named below, each with the reason, so a new resource type cannot join unread and a
read entry cannot lose its mark.
"""

from __future__ import annotations

from .provider_calls import oracle

#: Entries not (yet) read against a pinned version of their source, and why. Shrink it; never grow it silently.
NOT_VERIFIED: dict[str, str] = {
    "pulumi:providers:aws": "a provider resource makes no API call: there is nothing to read",
}


def test_every_entry_is_verified_or_named_with_a_reason() -> None:
    unverified = {token for token, entry in oracle().items() if "verified" not in entry}
    assert unverified == set(NOT_VERIFIED)


def test_the_exceptions_name_real_entries() -> None:
    """A renamed or removed type cannot linger here, excusing nothing."""
    assert set(NOT_VERIFIED) <= set(oracle())
