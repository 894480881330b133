"""Canonical column names shared by every pipeline stage.

Input files may use many aliases (see :mod:`zoning.io.stations`); after intake every
frame uses exactly these names.
"""

from __future__ import annotations

# --- stations (GeoDataFrame, CRS EPSG:4326, index = station_id) ---------------
STATION_ID = "station_id"  # str, unique
STATION_NAME = "station_name"  # str, unique, e.g. "青山派出所"
POPULATION = "population"  # float, NaN when unknown
OFFICERS = "officers"  # float (警力), NaN when unknown
HAS_CASE_AREA = "has_case_area"  # bool (办案区)
COMMUNITIES = "communities"  # float (社区/村居数), NaN when unknown
IS_URBAN_CORE = "is_urban_core"  # bool (城关所)
SEAT_LON = "seat_lon"  # float, station seat (驻地), not the centroid
SEAT_LAT = "seat_lat"  # float
LOAD = "load"  # float, weighted incident load
APPROXIMATE = "approximate"  # bool: jurisdiction estimated (zoning jurisdictions --seats)
JURISDICTION_METHOD = "jurisdiction_method"  # "townships", "voronoi" or "roads"

#: The canonical station columns intake writes (before the file's own columns).
STATION_COLUMNS: tuple[str, ...] = (
    STATION_ID,
    STATION_NAME,
    POPULATION,
    OFFICERS,
    HAS_CASE_AREA,
    COMMUNITIES,
    IS_URBAN_CORE,
    SEAT_LON,
    SEAT_LAT,
)

# --- incidents (DataFrame after intake) --------------------------------------
INCIDENT_ID = "incident_id"  # 警情编号
TIME = "time"  # 报警时间, datetime64
CATEGORY = "category"  # 警情类别
LON = "lon"  # 经度, WGS84
LAT = "lat"  # 纬度, WGS84
UNIT = "unit"  # 管辖单位 (station name or code as exported)
COUNT = "count"  # incidents a row stands for: 1, or 警情数 of a statistics table

#: Incident categories of the 110 export, in display order.
CATEGORIES: tuple[str, ...] = ("刑事", "治安", "交通", "纠纷", "求助", "其他")

# --- plan outputs --------------------------------------------------------------
ZONE = "zone"  # int 1..K
ZONE_NAME = "zone_name"
IS_CENTER = "is_center"
CENTER_ID = "center_id"
N_STATIONS = "n_stations"
CENTER_NAME = "center_name"
SHARE = "share"  # zone load / total load
LOAD_PER_OFFICER = "load_per_officer"
