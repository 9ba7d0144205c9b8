"""End-to-end tests: the real AmiConnection + CallTracker against the live test PBX."""
