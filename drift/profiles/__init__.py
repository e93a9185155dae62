"""Where expectations come from: YAML profiles, one per environment (`loader` reads them into
the `model`; `spec` and `rules_spec` are the format). Import the module you need: importing
this package loads nothing else."""
