"""The GitHub Action's logic beyond `drift check` (run as `python -m drift.action`): the step's
outputs from the JSON report, and the one issue per environment a scheduled check keeps."""
