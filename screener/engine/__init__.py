"""The engine step: an intake becomes facts (signs at places), the facts run through a
durable_rules session (the only module importing ``durable`` is ``session``), and a plain
reading of the same rules (``reference``) cross-checks every match."""
