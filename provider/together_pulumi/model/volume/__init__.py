"""A SharedVolume's field table."""
