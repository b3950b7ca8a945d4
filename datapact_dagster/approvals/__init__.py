"""Approvals: who must sign a new contract version off before it is built, and their decisions."""
