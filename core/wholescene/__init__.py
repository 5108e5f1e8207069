"""The whole scene in one go: each sound strip matched to its character, overlaps found, takes
already made with the same settings recognised, and one report (core.wholescene.casting,
settings_key, report)."""
