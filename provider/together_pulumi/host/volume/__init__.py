"""A SharedVolume in the provider host: the volume provider and the readiness provider."""
