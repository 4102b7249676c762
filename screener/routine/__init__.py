"""The routine step: the base routines of the seeds (``book`` and ``routines.yaml``) and
their adjustment to a decision (``adjust``), never touching what it excludes."""
