"""The CrossGuard policy pack: what must never be deployed, as pure functions over resource inputs.

`policies/rules/<area>.py` hold the policies (`POLICIES`), `registry.py` collects them,
`profile.py` writes the per-stack enforcement levels to `config/<stack>.json`, and `__main__.py`
serves them to the Pulumi CLI (`pulumi preview --policy-pack policies`).
"""
