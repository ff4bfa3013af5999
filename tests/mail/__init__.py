"""Tests for ``tracker.mail``: messages, MIME and the file, SMTP and Graph transports."""
