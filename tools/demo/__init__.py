"""The demo: renders of the head, transcript demo and label plots."""
