"""Synthetic demo county 示例县 (see README.md); installed as ``zoning._demo_data``."""
