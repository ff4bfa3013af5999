"""Evidence files attached to actions and updates: storing, checking, listing and reading."""

from tracker.services.evidence._storage import CHUNK_BYTES, iter_content

__all__ = ["CHUNK_BYTES", "iter_content"]
