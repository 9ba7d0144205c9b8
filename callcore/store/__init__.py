"""Store: local-first TinyDB files + a change journal synced through a shared folder."""
