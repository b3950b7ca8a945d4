"""Monitoring over time: each run's table metrics, their history, and anomaly monitors judged
against it."""
