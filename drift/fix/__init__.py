"""Repair: the plan that would fix drift, the canary that proves it, the journal and rollback."""
