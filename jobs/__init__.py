"""Scheduled jobs: the APScheduler process and the job functions it runs."""
