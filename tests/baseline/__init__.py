"""--baseline and --fail-on-new."""
