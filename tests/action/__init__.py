"""The scheduled workflow and the issue it keeps."""
