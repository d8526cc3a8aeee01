"""Survey models: written by the surveys work."""
