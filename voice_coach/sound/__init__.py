"""sound stage."""
