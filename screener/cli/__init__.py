"""The faces people use on a terminal: the command line (``main``), the interactive
checklist, the step-by-step guide, batch and diff, explain, Ctrl-C handling and saving a
record."""
