"""Golden data files of hippo-verify (JSON, schema in SCHEMA.md); read them with
``hippo_verify.oracles.golden.load``."""
