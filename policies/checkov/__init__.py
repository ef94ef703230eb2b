"""Custom checkov checks (ids CKV_AGP_*) for what checkov's own AWS checks do not cover.

checkov loads every `.py` file here with `--external-checks-dir policies/checkov` (it requires this
`__init__.py`), in checkov's own environment, as top-level modules: the files import each other by
bare name (`agp_checklib`), never through the `policies` package.
"""
