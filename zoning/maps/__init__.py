"""The offline interactive web map, the two-plan map, vendored assets and basemaps."""
