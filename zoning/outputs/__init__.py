"""Tables (GeoJSON, report.json), Excel, GeoPackage and the printable map."""
