"""The office as typed objects the rules ask questions of, and the rule data (revisions) they are asked under.

Imports only ``teichaku_cli.base`` (docs/architecture.md)."""
