"""Tests for ``tracker.spreadsheets``: reading action plans safely and writing safe exports."""
