"""Circuit breaker per contract table, derived from the check evaluations in the Dagster instance.

Status, the launch guard, the sensor and the schedules all read the breaker through `read.py`,
so they agree on what is open and what is held.
"""
