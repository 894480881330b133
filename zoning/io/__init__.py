"""Reading bureau files: station polygons, 110 exports, encodings, columns, CRS, geometry."""
