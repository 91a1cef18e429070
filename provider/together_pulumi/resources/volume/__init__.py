"""A SharedVolume's pieces: its field table, the volume step and the readiness step (see ``..shared_volume``)."""
