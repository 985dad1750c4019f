# tests/windows: rules come with the area's work.
