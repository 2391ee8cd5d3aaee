"""The region's directory: the functions organisations take for the region, their further sites,
profiles with logos, the map, its open data and the function x district gaps."""
