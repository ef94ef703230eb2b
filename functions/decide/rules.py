"""Business rules deciding whether an answer may go out unreviewed (pure).

An answer is escalated to human review when any rule fires; the reasons are recorded in the audit
trail and in ``EscalationRequested``. The rules live in :mod:`functions.shared.acceptance`, where the router
imports them too (it caches only what these rules accept); this module keeps decide's import.
"""

from __future__ import annotations

from functions.shared.acceptance import escalation_reasons

__all__ = ["escalation_reasons"]
