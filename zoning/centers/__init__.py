"""中心所 and team placement, road networks, travel times, zone names."""
