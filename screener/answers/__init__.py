"""Answers become an ``Intake``: the intake model, the checklist's question titles, strict
reading of bytes and JSON, and the intake's JSON Schema. Imports the rule language (to
know which codes exist), never a step after it."""
