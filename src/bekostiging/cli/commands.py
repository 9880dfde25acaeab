"""Registers every sub-command module on the main group (one import per module)."""
