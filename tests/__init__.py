"""Tests for the SEND Partnership Action Tracker, mirroring the ``tracker`` package."""
