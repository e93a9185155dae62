"""Where live state comes from: Cloud Run Admin API v2 and Secret Manager v1."""
